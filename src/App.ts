import { FetchHttpClient, HttpLayerRouter, HttpMiddleware } from "@effect/platform"
import { Layer } from "effect"
import { AllRoutes } from "./api/http.js"
import { isPolledRead } from "./api/read-cache.js"
import { withSecurityHeaders } from "./api/guard.js"
import { PolledReadsFastPathLive } from "./api/polled-fast-path.js"
import { ImportWorkerLive } from "./application/library/import-worker.js"
import { LibraryImport } from "./application/library/library-import.js"
import { LibraryIndexer, LibraryIndexWorkerLive } from "./application/library/library-indexer.js"
import { LibraryIndex } from "./infrastructure/library/library-index.js"
import { LibraryFsLive } from "./infrastructure/library/file-system.js"
import { SlskdFilesLive } from "./infrastructure/library/slskd-events.js"
import { ImportRepositoryLive } from "./infrastructure/persistence/import-repository.js"
import { SignInLimiter } from "./api/rate-limit.js"
import { Sessions } from "./api/sessions.js"
import { EventStreamCap } from "./api/stream-cap.js"
import { ReadCache } from "./api/read-cache.js"
import { DownloadManager } from "./application/download-manager.js"
import { ImportTrackList } from "./application/import-track-list.js"
import { PlaylistSync, PlaylistSyncWorkerLive } from "./application/playlist-sync.js"
import { QueueAlbumDownloads } from "./application/queue-album-downloads.js"
import { DomainEventsLive, Events } from "./application/events.js"
import { MediaScansLive } from "./application/notifications/scans.js"
import { NotificationDelivery, NotificationWorkerLive } from "./application/notifications/delivery.js"
import { NotificationTargets } from "./application/notifications/targets.js"
import { SlskdWatch, SlskdWatchWorkerLive } from "./application/notifications/slskd-watch.js"
import { NotificationStore } from "./infrastructure/persistence/notification-repository.js"
import { HealthReport } from "./application/health.js"
import { QueueControl } from "./application/queue-control.js"
import { QueueTrackDownload } from "./application/queue-track-download.js"
import { RuntimeState } from "./application/runtime-state.js"
import { StatsPublisherLive } from "./application/stats-publisher.js"
import { AlbumPublisherLive } from "./application/album-publisher.js"
import { AlbumCovers } from "./application/album-covers.js"
import { DownloadWorker, DownloadWorkerLive } from "./application/workers/download-worker.js"
import { Outage, Wakeups, WakeOnEventsLive } from "./application/workers/loop.js"
import { QueueDispatcher, QueueDispatcherWorkerLive } from "./application/workers/queue-dispatcher.js"
import { StatusSync, StatusSyncWorkerLive } from "./application/workers/status-sync.js"
import { AlbumCatalogDefault } from "./infrastructure/catalog/catalog.js"
import { TrackListLayer } from "./infrastructure/catalog/track-lists.js"
import { DownloadRepositoryLive } from "./infrastructure/persistence/download-repository.js"
import { PlaylistRepositoryLive } from "./infrastructure/persistence/playlist-repository.js"
import { QualityProfilesLive } from "./infrastructure/persistence/quality-profile-repository.js"
import { SettingsLive } from "./infrastructure/persistence/settings-repository.js"
import { DatabaseLive } from "./infrastructure/persistence/sqlite.js"
import { DataVersionLive } from "./infrastructure/persistence/data-version.js"
import { TrackRepositoryLive } from "./infrastructure/persistence/track-repository.js"
import { AlbumGroupsLive } from "./infrastructure/persistence/album-group-repository.js"
import { CircuitBreaker, ProtectedProviderLive, ProviderCircuitLive } from "./infrastructure/slskd/circuit-breaker.js"
import { SlskdClient } from "./infrastructure/slskd/client.js"
import { SlskdDownloadProviderLive } from "./infrastructure/slskd/provider.js"
import { SlskdStartupProbeLive } from "./infrastructure/slskd/startup-probe.js"
import { RecordedSearchesClient, SearchGateLive, StaleSearchCleanupLive } from "./infrastructure/slskd/search-gate.js"

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
  const playlists = PlaylistRepositoryLive.pipe(Layer.provide(Layer.mergeAll(database, events)))
  return Layer.mergeAll(database, events, tracks, downloads, playlists, SettingsLive.pipe(Layer.provide(database)),
    QualityProfilesLive.pipe(Layer.provide(database)), DataVersionLive(db).pipe(Layer.provide(database)),
    AlbumGroupsLive.pipe(Layer.provide(database)), NotificationStore.Default.pipe(Layer.provide(database)))
}

/** slskd behind the circuit breaker: the only provider the application sees. */
export const CatalogLayer = Layer.merge(AlbumCatalogDefault, TrackListLayer)

// slskd's client with every search it creates recorded, so what a crash leaves behind is deleted at the next start
const SlskdRecorded = Layer.provideMerge(StaleSearchCleanupLive, RecordedSearchesClient).pipe(Layer.provide(SlskdClient.Default))

export const ProviderLayer = Layer.mergeAll(
  Layer.merge(ProtectedProviderLive, ProviderCircuitLive).pipe(Layer.provideMerge(CircuitBreaker.Default),
    Layer.provide(SlskdDownloadProviderLive.pipe(Layer.provide(SlskdRecorded)))),
  SlskdRecorded,
  SearchGateLive
)

/** The file system and slskd's record of finished files, for the library import. */
export const LibraryLayer = Layer.mergeAll(LibraryFsLive, SlskdFilesLive, ImportRepositoryLive,
  LibraryIndexer.Default.pipe(Layer.provideMerge(LibraryIndex.Default)))

export const ApplicationLayer = Layer.mergeAll(
  DownloadManager.Default, QueueTrackDownload.Default, HealthReport.Default,
  DownloadWorker.Default, StatusSync.Default, QueueAlbumDownloads.Default, QueueDispatcher.Default,
  LibraryImport.Default, Sessions.Default, SignInLimiter.Default, EventStreamCap.Default,
  QueueControl.Default.pipe(Layer.provide(DownloadManager.Default)), AlbumCovers.Default,
  ReadCache.Default.pipe(Layer.provide(QueueControl.Default), Layer.provide(DownloadManager.Default)),
  NotificationDelivery.Default.pipe(Layer.provideMerge(MediaScansLive), Layer.provide(FetchHttpClient.layer)),
  SlskdWatch.Default, NotificationTargets.Default.pipe(Layer.provide(FetchHttpClient.layer))
).pipe(
  Layer.provideMerge(PlaylistSync.Default),
  Layer.provideMerge(ImportTrackList.Default.pipe(Layer.provide(QueueTrackDownload.Default))),
  Layer.provideMerge(Outage.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(Wakeups.Default, RuntimeState.Default, LibraryLayer))))
)

export const WorkersLayer = Layer.mergeAll(
  WakeOnEventsLive, QueueDispatcherWorkerLive, DownloadWorkerLive, StatusSyncWorkerLive, PlaylistSyncWorkerLive, ImportWorkerLive,
  LibraryIndexWorkerLive, SlskdStartupProbeLive, NotificationWorkerLive, SlskdWatchWorkerLive
)

/** The one place where the service is put together. The HTTP server itself is provided by the caller. */
export const AppLayer = (options: AppOptions) => {
  const services = ApplicationLayer.pipe(
    Layer.provideMerge(Layer.mergeAll(ProviderLayer, CatalogLayer)),
    Layer.provideMerge(PersistenceLayer(options.db))
  )
  // long ids must reach the handler (and get a JSON 404) rather than miss every route
  // the guard (src/api/guard.ts) logs each request itself; the polled reads carry no request span;
  // every answer, errors included, carries the security headers
  const routes = HttpLayerRouter.serve(AllRoutes, { routerConfig: { maxParamLength: 2048 }, disableLogger: true }).pipe(
    HttpMiddleware.withTracerDisabledWhen(isPolledRead), withSecurityHeaders)
  const running = options.workers === false
    ? Layer.mergeAll(routes, PolledReadsFastPathLive, StatsPublisherLive, AlbumPublisherLive)
    : Layer.mergeAll(routes, PolledReadsFastPathLive, StatsPublisherLive, AlbumPublisherLive, WorkersLayer)
  return running.pipe(Layer.provideMerge(services))
}
