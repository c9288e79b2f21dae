import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { HealthReport } from "../application/health.js"
import { toHealthDto } from "./dto.js"

/** `GET /health`: the manager health JSON at the path container health checks and probes expect. */
export const HealthAliasRoute = HttpLayerRouter.add("GET", "/health",
  Effect.flatMap(HealthReport, (h) => h.report).pipe(
    Effect.flatMap((report) => HttpServerResponse.json(toHealthDto(report))),
    Effect.orDie
  ))
