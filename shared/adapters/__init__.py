"""Adapters: the ports implemented on AWS (boto3 lives here and nowhere in the domain)."""
