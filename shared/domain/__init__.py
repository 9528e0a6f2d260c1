"""Heard's domain: the rules of the representations procedure.

Nothing in this package imports boto3 or reads the system clock: time comes from an injected
:class:`~shared.domain.clock.Clock`, storage and messaging through the ports in :mod:`shared.ports`.
"""
