import { HttpLayerRouter } from "@effect/platform"
import { Layer } from "effect"
import { AllRoutes } from "./api/http.js"
import { DownloadManager } from "./application/download-manager.js"
import { QueueAlbumDownloads } from "./application/queue-album-downloads.js"
import { DomainEventsLive, Events } from "./application/events.js"
import { HealthReport } from "./application/health.js"
import { QueueControl } from "./application/queue-control.js"
import { QueueTrackDownload } from "./application/queue-track-download.js"
import { RuntimeState } from "./application/runtime-state.js"
import { StatsPublisherLive } from "./application/stats-publisher.js"
import { DownloadWorker, DownloadWorkerLive } from "./application/workers/download-worker.js"
import { Wakeups, WakeOnEventsLive } from "./application/workers/loop.js"
import { QueueDispatcher, QueueDispatcherWorkerLive } from "./application/workers/queue-dispatcher.js"
import { StatusSync, StatusSyncWorkerLive } from "./application/workers/status-sync.js"
import { AlbumCatalogDefault } from "./infrastructure/catalog/catalog.js"
import { DownloadRepositoryLive } from "./infrastructure/persistence/download-repository.js"
import { QualityProfilesLive } from "./infrastructure/persistence/quality-profile-repository.js"
import { SettingsLive } from "./infrastructure/persistence/settings-repository.js"
import { DatabaseLive } from "./infrastructure/persistence/sqlite.js"
import { TrackRepositoryLive } from "./infrastructure/persistence/track-repository.js"
import { CircuitBreaker, ProtectedProviderLive, ProviderCircuitLive } from "./infrastructure/slskd/circuit-breaker.js"
import { SlskdLive } from "./infrastructure/slskd/provider.js"
import { SearchGateLive } from "./infrastructure/slskd/search-gate.js"

export interface AppOptions {
  readonly db: string
  /** Start the workers (false for tests that drive ticks by hand). */
  readonly workers?: boolean
}

/** SQLite, repositories, settings and the event bus. */
export const PersistenceLayer = (db: string) => {
  const database = DatabaseLive(db)
  const events = DomainEventsLive.pipe(Layer.provideMerge(Events.Default))
  const tracks = TrackRepositoryLive.pipe(Layer.provide(database))
  const downloads = DownloadRepositoryLive.pipe(Layer.provide(Layer.mergeAll(database, tracks, events)))
  return Layer.mergeAll(database, events, tracks, downloads, SettingsLive.pipe(Layer.provide(database)),
    QualityProfilesLive.pipe(Layer.provide(database)))
}

/** slskd behind the circuit breaker: the only provider the application sees. */
export const CatalogLayer = AlbumCatalogDefault

export const ProviderLayer = Layer.merge(
  Layer.merge(ProtectedProviderLive, ProviderCircuitLive).pipe(Layer.provideMerge(CircuitBreaker.Default), Layer.provide(SlskdLive)),
  SearchGateLive
)

export const ApplicationLayer = Layer.mergeAll(
  DownloadManager.Default, QueueTrackDownload.Default, HealthReport.Default,
  DownloadWorker.Default, StatusSync.Default, QueueAlbumDownloads.Default, QueueDispatcher.Default,
  QueueControl.Default.pipe(Layer.provide(DownloadManager.Default))
).pipe(Layer.provideMerge(Layer.mergeAll(Wakeups.Default, RuntimeState.Default)))

export const WorkersLayer = Layer.mergeAll(WakeOnEventsLive, QueueDispatcherWorkerLive, DownloadWorkerLive, StatusSyncWorkerLive)

/** The one place where the service is put together. The HTTP server itself is provided by the caller. */
export const AppLayer = (options: AppOptions) => {
  const services = ApplicationLayer.pipe(
    Layer.provideMerge(Layer.mergeAll(ProviderLayer, CatalogLayer)),
    Layer.provideMerge(PersistenceLayer(options.db))
  )
  // long ids must reach the handler (and get a JSON 404) rather than miss every route
  const routes = HttpLayerRouter.serve(AllRoutes, { routerConfig: { maxParamLength: 2048 } })
  const running = options.workers === false
    ? Layer.mergeAll(routes, StatsPublisherLive)
    : Layer.mergeAll(routes, StatsPublisherLive, WorkersLayer)
  return running.pipe(Layer.provideMerge(services))
}
