"""Idempotency on the case table with Powertools (records under their own partition key, with a TTL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from shared import names
from shared.domain.errors import Conflict, KeyReused

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_dynamodb import DynamoDBClient

WINDOW_SECONDS = 24 * 60 * 60


class PowertoolsIdempotency:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None, scope: str = "intake") -> None:
        self._layer = DynamoDBPersistenceLayer(
            table_name=table_name,
            key_attr=names.PK,
            sort_key_attr=names.SK,
            static_pk_value=names.idempotency_pk(scope),
            expiry_attr=names.TTL_ATTRIBUTE,
            boto3_client=client,
        )
        self._config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="fingerprint",
            expires_after_seconds=WINDOW_SECONDS,
            raise_on_no_idempotency_key=True,
        )

    def register_lambda_context(self, context: LambdaContext) -> None:
        self._config.register_lambda_context(context)

    def once(self, key: str, fingerprint: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        @idempotent_function(
            data_keyword_argument="request", persistence_store=self._layer, config=self._config
        )
        def register_representation(request: dict[str, str]) -> dict[str, Any]:
            return work()

        try:
            result: dict[str, Any] = register_representation(request={"key": key, "fingerprint": fingerprint})
        except IdempotencyValidationError as exc:
            raise KeyReused("this Idempotency-Key was already used for a different request") from exc
        except IdempotencyAlreadyInProgressError as exc:
            raise Conflict("the same request is already being processed: try again in a moment") from exc
        return result
