"""The local service: Heard's real handlers on an AWS emulated in-process by moto (``make run``)."""
