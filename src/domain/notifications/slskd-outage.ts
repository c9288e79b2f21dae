/**
 * slskd outages as messages: one slskd.down once slskd has been unreachable for longer than the
 * threshold, one slskd.up when it is back after that; shorter blips say nothing. The state is
 * stored, so a restart during an outage neither repeats slskd.down nor forgets slskd.up.
 */
export interface OutageState {
  /** When slskd was first seen unreachable in this outage. */
  readonly downSince: number
  /** slskd.down was sent. */
  readonly announced: boolean
}

export interface OutageStep {
  readonly state: OutageState | null
  readonly events: ReadonlyArray<{ readonly type: "slskd.down" | "slskd.up"; readonly downSince: number; readonly seconds: number }>
}

export const observeSlskd = (state: OutageState | null, reachable: boolean, nowMillis: number, thresholdMillis: number): OutageStep => {
  if (reachable) {
    if (state === null) return { state: null, events: [] }
    return {
      state: null,
      events: state.announced ? [{ type: "slskd.up", downSince: state.downSince, seconds: Math.round((nowMillis - state.downSince) / 1000) }] : []
    }
  }
  const s = state ?? { downSince: nowMillis, announced: false }
  if (!s.announced && nowMillis - s.downSince > thresholdMillis) {
    return {
      state: { ...s, announced: true },
      events: [{ type: "slskd.down", downSince: s.downSince, seconds: Math.round((nowMillis - s.downSince) / 1000) }]
    }
  }
  return { state: s, events: [] }
}
