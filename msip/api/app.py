"""The WSGI application: pygeoapi's API functions behind MSIP's routes, checks and headers.

`create_app()` builds a Flask app from a prepared config (see `msip.api.config`): the OGC API
routes call pygeoapi's own handlers; MSIP adds early 400s for malformed parameters, tile data
with caching (vector and map tiles), an honest /conformance, /metrics, /map and /health, and
turns unexpected failures into JSON errors (503 when the database is down).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path

import psycopg
from flask import Blueprint, Flask, Response, make_response, request
from psycopg_pool import PoolTimeout
from pygeoapi.api import API, APIRequest, apply_gzip

from msip.api import auth, http, metrics, webmap
from msip.api.catalogue import routes as open_data
from msip.api.config import PreparedConfig, load_config
from msip.api.documents.feature_schema import SCHEMA_PATH, feature_collections, schema_response, with_schema_link
from msip.api.documents.layer_types import coverage_providers, layer_data_types, with_layer_data_type
from msip.api.documents.tms import with_tms1_members
from msip.api.jobs import MsipJobManager
from msip.api.providers import extents
from msip.api.providers.db import DatabaseUnavailable
from msip.core.errors import ConfigError

LOGGER = logging.getLogger(__name__)
READ_ONLY = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete"


def _conformance(cfg: dict) -> list[str]:
    """Conformance classes of what is configured (pygeoapi's list grows on every request; this does not)."""
    from pygeoapi.api import CONFORMANCE_CLASSES, all_apis

    from msip.api.providers.cql import CONFORMANCE as CQL2

    apis = all_apis()
    classes = set(CONFORMANCE_CLASSES)
    for res in cfg["resources"].values():
        if res.get("type") == "process":
            classes.update(apis["process"].CONFORMANCE_CLASSES)
            continue
        for p in res.get("providers", []):
            if p["type"] in apis:
                classes.update(apis[p["type"]].CONFORMANCE_CLASSES)
            if p["type"] == "feature":
                classes.update(apis["itemtypes"].CONFORMANCE_CLASSES_FEATURES)
                if str(p.get("name", "")).startswith("msip."):
                    classes.update(CQL2)
    classes.discard(READ_ONLY)
    return sorted(classes)


def create_app(prepared: PreparedConfig | None = None, *, openapi: dict | None = None) -> Flask:
    """The Flask app for a prepared config (default: pygeoapi-config.yml with the env's reader URL)."""
    from msip.api import pygeoapi_fixes
    from msip.api.openapi import build_openapi
    from msip.core.paths import WEB_DIR

    pygeoapi_fixes.apply()
    prepared = prepared or load_config()
    cfg = prepared.config
    api = API(cfg, openapi if openapi is not None else auth.describe_security(build_openapi(cfg)))  # sets up logging
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, ClientErrorsWithoutTraceback) for f in handler.filters):
            handler.addFilter(ClientErrorsWithoutTraceback())
    conformance = _conformance(cfg)

    import pygeoapi

    app = Flask(
        __name__,
        static_folder=str(Path(pygeoapi.__file__).parent / "static"),
        static_url_path="/static",
    )
    app.url_map.strict_slashes = False
    app.config["MSIP_SKIPPED"] = prepared.skipped
    bp = Blueprint("ogcapi", __name__)

    def run(fn, *args, kind: str = "meta", check: bool = True) -> Response:
        bad = http.validate_request(request, kind)
        if bad is not None:
            return bad
        api_request = APIRequest.from_flask(request, api.locales)
        if check and not api_request.is_valid():  # some handlers check formats themselves
            headers, status, content = api.get_format_exception(api_request)
        else:
            headers, status, content = fn(api, api_request, *args)
            content = apply_gzip(headers, content)
        resp = make_response(content, status)
        if headers:
            resp.headers = headers
        return resp

    import pygeoapi.api as core
    from pygeoapi.api import coverages, itemtypes, processes, tiles

    bp.add_url_rule("/", "landing", lambda: open_data.with_feed_links(run(core.landing_page), cfg))
    bp.add_url_rule("/openapi", "openapi", lambda: run(core.openapi_))
    bp.add_url_rule("/TileMatrixSets", "tms", lambda: run(tiles.tilematrixsets))
    bp.add_url_rule(
        "/TileMatrixSets/<tms>",
        "tms_one",
        lambda tms: with_tms1_members(run(tiles.tilematrixset, tms)),
    )
    layer_types, coverage_defs = layer_data_types(cfg["resources"]), coverage_providers(cfg["resources"])
    feature_defs = feature_collections(cfg["resources"])

    def described(resp: Response, coverages: dict | None = None) -> Response:
        resp = with_layer_data_type(resp, layer_types, coverages)
        return open_data.with_open_data_links(with_schema_link(resp, api.base_url, feature_defs), cfg)

    bp.add_url_rule("/collections", "collections", lambda: described(run(core.describe_collections)))
    bp.add_url_rule(
        "/collections/<cid>",
        "collection",
        lambda cid: described(run(core.describe_collections, cid), coverage_defs),
    )
    bp.add_url_rule(
        f"/collections/<cid>/{SCHEMA_PATH}", "feature_schema", lambda cid: schema_response(cid, cfg["resources"])
    )
    bp.add_url_rule(
        "/collections/<cid>/schema", "schema", lambda cid: run(core.get_collection_schema, cid)
    )
    bp.add_url_rule(
        "/collections/<cid>/queryables",
        "queryables",
        lambda cid: run(itemtypes.get_collection_queryables, cid),
    )
    bp.add_url_rule(
        "/collections/<cid>/items",
        "items",
        lambda cid: run(itemtypes.get_collection_items, cid, kind="items", check=False),
    )
    bp.add_url_rule(
        "/collections/<cid>/items/<item_id>",
        "item",
        lambda cid, item_id: run(itemtypes.get_collection_item, cid, item_id, kind="items"),
    )
    bp.add_url_rule(
        "/collections/<cid>/coverage",
        "coverage",
        lambda cid: run(coverages.get_collection_coverage, cid, kind="coverage", check=False),
    )
    bp.add_url_rule(
        "/collections/<cid>/tiles", "tiles", lambda cid: run(tiles.get_collection_tiles, cid)
    )
    bp.add_url_rule(
        "/collections/<cid>/tiles/<tms>",
        "tileset",
        lambda cid, tms: run(tiles.get_collection_tiles_metadata, cid, tms, check=False),
    )
    bp.add_url_rule(
        "/collections/<cid>/tiles/<tms>/metadata",
        "tileset_meta",
        lambda cid, tms: run(tiles.get_collection_tiles_metadata, cid, tms, check=False),
    )
    manager = api.manager
    if not isinstance(manager, MsipJobManager) and any(
        r.get("type") == "process" for r in cfg["resources"].values()
    ):
        raise ConfigError(
            f"server.manager is {type(manager).__name__}; processes need msip.api.jobs.MsipJobManager "
            "(it records which API key owns each job)"
        )
    key_db = app.config["MSIP_KEY_DB"] = auth.key_conninfo(cfg)

    def execute(pid: str) -> Response:
        resp = run(processes.execute_process, pid, kind="execute")
        if resp.status_code == HTTPStatus.CREATED and "Location" in resp.headers:  # pygeoapi's body: null
            job_id = resp.headers["Location"].rsplit("/", 1)[1]
            resp.set_data(json.dumps(manager.accepted_status(job_id, api.base_url)))
            resp.mimetype = "application/json"
        return resp

    def job_view(fn: Callable[..., tuple]) -> Callable[..., Response]:
        return auth.protect("jobs", key_db, lambda **kw: run(fn, *kw.values()))

    bp.add_url_rule("/processes", "processes", lambda: run(processes.describe_processes))
    bp.add_url_rule(
        "/processes/<pid>", "process", lambda pid: run(processes.describe_processes, pid)
    )
    bp.add_url_rule(
        "/processes/<pid>/execution",
        "execute",
        auth.protect("execute", key_db, execute, getattr(manager, "admit", None)),
        methods=["POST"],
    )
    bp.add_url_rule("/jobs", "jobs", job_view(processes.get_jobs))
    bp.add_url_rule("/jobs/<job_id>", "job", job_view(processes.get_jobs))
    bp.add_url_rule("/jobs/<job_id>", "job_delete", job_view(processes.delete_job), methods=["DELETE"])
    bp.add_url_rule("/jobs/<job_id>/results", "job_results", job_view(processes.get_job_result))

    @bp.route("/conformance")
    def conformance_route() -> Response:
        from msip.api.responses import conformance_response

        return conformance_response(api, request, conformance)

    @bp.route("/collections/<cid>/tiles/<tms>/<int:z>/<int:y>/<int:x>")
    def tile(cid: str, tms: str, z: int, y: int, x: int) -> Response:
        from msip.api.responses import tile_response

        return tile_response(api, request, cid, tms, z, y, x)

    @bp.route("/health")
    def health() -> Response:
        from msip.api.responses import health_response

        return health_response(cfg)

    @bp.before_request
    def _current_extents() -> None:
        # Collection metadata and datetime checks use the extents: keep them as current as the data.
        parts = request.path.strip("/").split("/")
        if parts[0] == "collections" and (
            len(parts) <= 2 or (parts[2:3] == ["items"] and "datetime" in request.args)
        ):
            extents.refresh(cfg)

    from msip.api.pointcloud import routes as pointcloud_routes

    pointcloud_routes.install(bp, cfg)
    app.register_blueprint(bp)
    open_data.install(app, cfg)
    metrics.install(app)
    webmap.install(
        app,
        WEB_DIR / "dist",
        api.base_url,
        {k: v for k, v in cfg["resources"].items() if v.get("type") == "collection"},
    )
    from msip.api import report, search  # the geoportal's search and "what is here" (issue 19)

    search.install(app, key_db, api.base_url)
    report.install(app, key_db, api.base_url)
    from msip.api import trends  # indicator trends over the analysis runs (issue 19)

    trends.install(app, key_db, api.base_url)
    from msip.api import zoning  # each plan's APP GML 2.0 dataset and drawing (issue 18)

    zoning.install(app, cfg, api.base_url)
    _install_errors(app)

    @app.after_request
    def _finish(resp: Response) -> Response:
        return http.finish(request, resp)

    return app


class ClientErrorsWithoutTraceback(logging.Filter):
    """pygeoapi logs a refused process input (answered 4xx) at ERROR with its traceback; keep
    such records to one line, so the server log's tracebacks are the server's own faults."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and 400 <= int(getattr(exc, "http_status_code", 500)) < 500:
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _install_errors(app: Flask) -> None:
    @app.errorhandler(404)
    def _not_found(exc) -> Response:
        return http.error_response(
            404, "NotFound", f"no resource at {request.path}; start at / for the list of links"
        )

    @app.errorhandler(405)
    def _not_allowed(exc) -> Response:
        return http.error_response(
            405, "MethodNotAllowed", f"{request.method} is not allowed on {request.path}; use GET"
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, (PoolTimeout, psycopg.OperationalError, DatabaseUnavailable)):
            return http.error_response(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "the database is unavailable; try again in a minute",
            )
        from pygeoapi.provider.base import ProviderGenericError
        from werkzeug.exceptions import HTTPException

        if isinstance(exc, ProviderGenericError) and int(exc.http_status_code) < 500:
            # a provider refusing a request that pygeoapi's handler does not catch (e.g. unknown TMS)
            return http.error_response(int(exc.http_status_code), exc.ogc_exception_code, exc.message)
        if isinstance(exc, HTTPException):
            return http.error_response(
                exc.code or 500, type(exc).__name__, exc.description or str(exc)
            )
        LOGGER.error("unexpected error on %s", request.full_path, exc_info=exc)
        return http.error_response(
            500, "NoApplicableCode", "internal error; the server log has the details"
        )
