"""create_app(): routes, middleware, error handlers, OpenAPI, and the embedded worker."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Controller, Litestar, Request, Router
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi.datastructures import ResponseSpec
from litestar.static_files import create_static_files_router

from backend import worker
from backend.accounts.routes import AccountController
from backend.accounts.staff_routes import StaffController
from backend.alliance.routes import AllianceController, region_page
from backend.auth.requests import authenticate, person_of, provide_principal
from backend.auth.routes import AuthController
from backend.core.logs import redact_logs
from backend.crafts.routes import CraftController
from backend.dashboard.routes import DashboardController
from backend.db import counters, session
from backend.gateways import registry as gateways
from backend.http.context import LocaleMiddleware, RequestIdMiddleware
from backend.http.docs import ASSETS_PATH, SWAGGER_ASSETS, openapi_config
from backend.http.errors import ERROR_DOCS, EXCEPTION_HANDLERS, ErrorBody
from backend.http.i18n_routes import I18nController
from backend.http.idempotency import IdempotencyMiddleware
from backend.http.pages import app_page, console_page, manifest, pwa_files, service_worker_script
from backend.http.params import check_request
from backend.http.responses import NO_COMPRESSION
from backend.http.security import add_security_headers
from backend.jobs.routes import JobController
from backend.materials.routes import KitController
from backend.memberships.routes import MembershipController, StoryController
from backend.ops import routes as ops
from backend.orders.routes import OrderController
from backend.outbox.routes import OutboxController
from backend.passports.routes import PassportController, passport_page, passport_photo
from backend.payouts.routes import AdvanceController, PayoutController, StatementController
from backend.photos.processing import MAX_UPLOAD_BYTES
from backend.photos.routes import PhotoController
from backend.photos.upload_routes import UploadController
from backend.sms.aliyun_routes import aliyun_report, aliyun_up
from backend.sms.flows import check as sms_check
from backend.sms.routes import DeadLetterController, SimulatorController, twilio_inbound, twilio_status
from backend.voice.routes import (
    CallViewController,
    RecordingController,
    aliyun_voice_report,
    twilio_voice_gather,
    twilio_voice_prompt,
    twilio_voice_status,
    voice_audio,
)

MAX_BODY = MAX_UPLOAD_BYTES + 1024 * 1024  # the largest request: a photo and its multipart envelope


def _lifespan(run_worker: bool) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await session.start()
        await counters.start_listener()
        try:
            if run_worker:
                async with worker.running():
                    yield
            else:
                yield
        finally:
            await counters.stop_listener()
            await session.stop()

    return lifespan


def _document_errors(controllers: list[type[Controller]]) -> None:
    """Describe failures with the ErrorBody every route really answers with."""
    specs = {
        status: ResponseSpec(data_container=ErrorBody, description=text, generate_examples=False)
        for status, text in ERROR_DOCS.items()
    }
    for controller in controllers:
        for handler in vars(controller).values():
            if isinstance(handler, HTTPRouteHandler):
                handler.responses = {**specs, **(handler.responses or {})}


def _api() -> Router:
    controllers: list[type[Controller]] = [
        I18nController,
        AuthController,
        AccountController,
        MembershipController,
        StoryController,
        AllianceController,
        StaffController,
        CraftController,
        OrderController,
        JobController,
        PayoutController,
        AdvanceController,
        KitController,
        StatementController,
        PassportController,
        PhotoController,
        UploadController,
        SimulatorController,
        CallViewController,
        RecordingController,
        DeadLetterController,
        OutboxController,
        DashboardController,
    ]
    _document_errors(controllers)
    return Router(
        path="/api/v1",
        route_handlers=controllers,
        dependencies={"principal": Provide(provide_principal)},
        before_request=_before_request,
    )


async def _before_request(request: Request[Any, Any, Any]) -> None:
    """Who is asking first (no body is read for a stranger), then the request's own checks."""
    await authenticate(request)
    await check_request(request)


def _compression() -> CompressionConfig:
    """Answers made per request (JSON) in brotli, else gzip. Artisans pay for each byte on 2G:
    small answers are compressed too (a 679-byte payout list becomes about 300). The app's
    files are compressed once, in advance (``backend.http.pages``), and pictures not at all:
    their routes say so with the ``NO_COMPRESSION`` option."""
    return CompressionConfig(
        backend="brotli", brotli_quality=5, minimum_size=256, brotli_gzip_fallback=True, exclude_opt_key=NO_COMPRESSION
    )


def create_app(*, run_worker: bool = True) -> Litestar:
    """The app; ``run_worker`` runs the outbox sender in this process (the embedded default).

    Refuses to start while an SMS flow or text is broken (``cunjiang sms check`` says which),
    or while the SMS or voice gateway lacks a setting or a template code.
    """
    problems = sms_check()
    if problems:
        raise RuntimeError("SMS flows or messages are not valid:\n" + "\n".join(problems))
    problems = gateways.problems()
    if problems:
        raise RuntimeError("The SMS gateway is not ready:\n" + "\n".join(problems))
    problems = gateways.voice_problems()
    if problems:
        raise RuntimeError("The voice gateway is not ready:\n" + "\n".join(problems))
    docs_assets = create_static_files_router(path=ASSETS_PATH, directories=[SWAGGER_ASSETS], include_in_schema=False)
    logging.getLogger("cunjiang").setLevel(logging.INFO)
    app = Litestar(
        route_handlers=[
            _api(),
            docs_assets,
            pwa_files,
            console_page,
            app_page,
            service_worker_script,
            manifest,
            twilio_inbound,
            twilio_status,
            aliyun_up,
            aliyun_report,
            aliyun_voice_report,
            twilio_voice_prompt,
            twilio_voice_gather,
            twilio_voice_status,
            voice_audio,
            region_page,
            passport_page,
            passport_photo,
            ops.healthz,
            ops.readyz,
            ops.metrics(),
        ],
        # Prometheus outermost: it sees every answer's final status, a replayed one included.
        middleware=[
            RequestIdMiddleware,
            ops.prometheus_config().middleware,
            LocaleMiddleware,
            DefineMiddleware(IdempotencyMiddleware, identify=person_of, max_body=MAX_BODY),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        compression_config=_compression(),
        openapi_config=openapi_config(),
        before_send=[add_security_headers],
        lifespan=[_lifespan(run_worker)],
    )
    # After Litestar's logging configuration (it replaces the root's handlers): every line the
    # server writes, its access log included, goes through the redaction filter.
    redact_logs()
    return app
