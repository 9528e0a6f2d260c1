"""Application services: each joins the domain to its ports for one job."""
