import type { ClientMessage, Envelope } from '../../shared/protocol/frames.js'
import { idFrom, idTime } from '../../shared/protocol/ids.js'
import type { FrameSource } from '../websocket-types.js'

/**
 * How far before its cursor a client resumes. The fan-out records a notification in history before
 * posting it, but two fan-outs run side by side: a later notification can arrive live while an
 * earlier one is still being recorded, and a socket lost in that moment would otherwise resume past
 * it. A minute covers a fan-out's first attempt (its delivery deadline is 10 s); what the overlap
 * replays again the client already holds and drops by id (docs/architecture.md, Resuming).
 */
export const RESUME_OVERLAP_MS = 60_000

type Resume = Extract<ClientMessage, { type: 'resume' }>
/** A `recall` asks the recent page again, for what came back from a snooze; the position stays. */
type ResumeSource = 'missed' | 'recent' | 'recall'

const ZERO_RANDOM = new Uint8Array(10)
const newer = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined || (b && b > a) ? b : a
const older = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined || (b && b < a) ? b : a

/**
 * The client's place in a user's notifications: `position` is the id up to which it holds every
 * notification meant for it, and only that is ever resumed from. A live notification moves it only
 * while nothing is being resumed; during a resume, live ones wait until the last page is in, so
 * one newer than the history still unread can never make the next page skip it. The server's
 * `resumed.cursor` says where a page ended; without it (an older server) the newest replayed id does.
 */
export class ResumeCursor {
  #position: string | undefined
  #resuming: { source: ResumeSource; pageEnd?: string; request: Resume } | undefined
  /** A snooze ended while a resume was in progress or the socket was down: the recall still to ask. */
  #recallOwed = false
  #welcomeId = ''
  /** The newest live notification on this socket not yet counted in `position`. */
  #live: string | undefined
  /** Before any position: the oldest id this socket brought (a live post or its welcome). */
  #first: string | undefined
  /**
   * Where this client first took up a position: the overlap never reaches before it, or a page
   * opened a moment ago would be shown alerts from before it opened after its first reconnect.
   */
  #floor: string | undefined

  /** Where a frame came from: replayed as missed or recent history, or live. */
  sourceOf(frame: Envelope): FrameSource {
    // A replayed notification newer than the welcome was published while connected, so it is also
    // pushed live: whichever copy comes first is kept, and it is live either way.
    // A recall's page is all history: what of it came live before was dropped by id already.
    const source = this.#resuming?.source
    if (!frame.replayed || (frame.id >= this.#welcomeId && source !== 'recall')) return 'live'
    return source === 'recall' ? 'recent' : (source ?? 'missed')
  }

  /** A notification arrived, before the welcome or after it; `open` once welcomed. */
  notification(frame: Envelope, open: boolean): void {
    if (frame.replayed) {
      if (this.#resuming) this.#resuming.pageEnd = newer(this.#resuming.pageEnd, frame.id)
      return
    }
    this.#first = older(this.#first, frame.id)
    if (open && (!this.#resuming || this.#resuming.source === 'recall'))
      this.#moveTo(newer(this.#position, frame.id))
    else this.#live = newer(this.#live, frame.id)
  }

  /** The socket was welcomed: what to resume, if anything. */
  welcomed(welcomeId: string, loadRecent: boolean): Resume | undefined {
    this.#welcomeId = welcomeId
    this.#first = older(this.#first, welcomeId)
    if (this.#position !== undefined)
      return this.#ask('missed', newer(rewound(this.#position), this.#floor) as string)
    if (loadRecent) {
      // The recent page brings back what a snooze ended, as a recall would.
      this.#recallOwed = false
      return this.#ask('recent')
    }
    // A first connection expects nothing from before it: from the first id it brought, everything
    // comes live, and a post still in flight is found again by the next resume.
    this.#moveTo(this.#first)
    return this.#nextRecall()
  }

  /**
   * A snooze ended: the server sends its entry back in the recent page (docs/architecture.md,
   * Snooze). Asked now when the socket is `open` and no resume is in progress, else once it ends.
   */
  recall(open: boolean): Resume | undefined {
    this.#recallOwed = true
    return open && !this.#resuming ? this.#nextRecall() : undefined
  }

  /** A page of the resume is in: the next page to ask for, if any. */
  resumed(data: { more: boolean; cursor?: string | undefined }): Resume | undefined {
    const resuming = this.#resuming
    if (!resuming) return undefined
    if (resuming.source === 'recall') {
      this.#resuming = undefined
      return this.#nextRecall()
    }
    const pageEnd = data.cursor ?? resuming.pageEnd
    // A recent load is the newest page; `more` there means older history, not missed notifications.
    if (data.more && resuming.source === 'missed' && pageEnd !== undefined) {
      this.#moveTo(newer(this.#position, pageEnd))
      return this.#ask('missed', pageEnd)
    }
    this.#settle(pageEnd)
    return this.#nextRecall()
  }

  /**
   * The resume page asked for last, while one is awaited: what to ask again when the server could
   * not answer (API Gateway's `Internal server error`, for a throttled or failed `$default`).
   */
  get awaited(): Resume | undefined {
    return this.#resuming?.request
  }

  /**
   * The socket is gone: a resume in progress ends where its last page ended. A first socket lost
   * before its recent load (or its welcome) was done leaves no position, yet it may have shown
   * notifications: the next socket resumes from the oldest, so none after it is lost.
   */
  dropped(): void {
    if (this.#position === undefined) this.#moveTo(this.#first)
    if (this.#resuming?.source === 'recall') this.#recallOwed = true
    this.#resuming = undefined
    this.#live = undefined
    this.#first = undefined
  }

  #nextRecall(): Resume | undefined {
    if (!this.#recallOwed) return undefined
    this.#recallOwed = false
    return this.#ask('recall')
  }

  /** Asks for a page: from `since`, or the recent one; it is awaited until `resumed` answers. */
  #ask(source: ResumeSource, since?: string): Resume {
    const request: Resume = since === undefined ? { type: 'resume' } : { type: 'resume', since }
    this.#resuming = { source, request }
    return request
  }

  #moveTo(position: string | undefined): void {
    this.#position = position
    if (position !== undefined) this.#floor ??= startOf(position)
  }

  /**
   * Everything up to the last page's end is in, and everything after the welcome came live: the
   * position is the newest of those, and never behind the welcome.
   */
  #settle(pageEnd: string | undefined): void {
    this.#moveTo([pageEnd, this.#live, this.#welcomeId].reduce(newer, this.#position))
    this.#resuming = undefined
    this.#live = undefined
    this.#first = undefined
  }
}

/** The id sorting before every id made in `id`'s millisecond, and `id` itself. */
const startOf = (id: string): string => idFrom(idTime(id), ZERO_RANDOM)

/** An id `RESUME_OVERLAP_MS` before `id`, sorting before every id made in that millisecond. */
function rewound(id: string): string {
  return idFrom(Math.max(0, idTime(id) - RESUME_OVERLAP_MS), ZERO_RANDOM)
}
