import { Metric, MetricBoundaries } from "effect"

/** The counters an operator looks at; rendered as Prometheus text at /metrics. */
export const searchesMade = Metric.counter("soulspot_searches_total", { description: "searches sent to slskd", incremental: true })
export const slskdRequests = Metric.counter("soulspot_slskd_requests_total", { description: "calls to slskd by operation and outcome", incremental: true })
export const slskdLatency = Metric.histogram("soulspot_slskd_request_seconds",
  MetricBoundaries.exponential({ start: 0.005, factor: 2, count: 14 }), "slskd call latency by operation")
export const syncTickSeconds = Metric.histogram("soulspot_sync_tick_seconds",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 14 }), "duration of one status sync tick")
export const importedTracks = Metric.counter("soulspot_imported_tracks_total", {
  description: "downloads created by batch, playlist, Liked Songs and file imports, by source", incremental: true
})
export const playlistSyncs = Metric.counter("soulspot_playlist_syncs_total", {
  description: "watched playlist reads by outcome (unchanged, changed, failed)", incremental: true
})
export const mediaScans = Metric.counter("soulspot_media_scans_total", {
  description: "media-server rescans by server type and outcome (ok, failed; attempt_failed per failed attempt)", incremental: true
})
export const notificationDeliveries = Metric.counter("soulspot_notification_deliveries_total", {
  description: "notification delivery attempts by target type and outcome (delivered, retry, gave_up)", incremental: true
})
