import { HttpLayerRouter } from "@effect/platform"
import { Layer } from "effect"
import { SoulSpotApi } from "./api.js"
import { ApiFallbackRoute, ErrorShapeMiddleware } from "./error-shape.js"
import { RestLive } from "./rest.js"
import { PlaylistRestLive } from "./rest-playlists.js"
import { NotificationsRestLive } from "./notifications-rest.js"
import { NotificationPageRoutes } from "./notifications-pages.js"
import { AuthMiddleware, LoginRoutes } from "./auth.js"
import { DocsRoutes } from "./docs.js"
import { HealthAliasRoute } from "./health-route.js"
import { MetricsRoute } from "./metrics-route.js"
import { ImportPageRoutes } from "./import-routes.js"
import { PagesLive } from "./pages.js"
import { PlaylistPageRoutes } from "./playlist-pages.js"
import { ApiEventsRoute } from "./sse.js"
import { GuardMiddleware } from "./guard.js"
import { PolledReadsMiddleware } from "./read-cache.js"
import { FaviconRoute, StaticRoutes, VendorRoutes } from "./static.js"

const ApiRoutes = HttpLayerRouter.addHttpApi(SoulSpotApi, { openapiPath: "/api/openapi.json" }).pipe(Layer.provide(Layer.mergeAll(RestLive, PlaylistRestLive, NotificationsRestLive)))


/** Every route of the service on one router: JSON API, docs, SSE, pages, partials and static files. */
export const AllRoutes = Layer.mergeAll(
  ApiRoutes,
  DocsRoutes,
  ApiFallbackRoute,
  ApiEventsRoute,
  PagesLive,
  PlaylistPageRoutes,
  ImportPageRoutes,
  NotificationPageRoutes,
  VendorRoutes,
  StaticRoutes(),
  FaviconRoute,
  LoginRoutes,
  MetricsRoute,
  HealthAliasRoute,
  ErrorShapeMiddleware,
  AuthMiddleware,
  GuardMiddleware,
  // after the guard: see read-cache.ts
  PolledReadsMiddleware
)

