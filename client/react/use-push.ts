import { useCallback, useEffect, useRef, useState } from 'react'
import { ConnectionState } from '../core/connection-state.js'
import { PushError } from '../errors.js'
import { disablePush, enablePush, isPushSupported, type PushOptions } from '../web-push.js'
import type { WebSocketService } from '../websocket-service.js'
import { useHeraldSocket } from './use-herald-socket.js'

const ignore = (): void => {}

/** What {@link usePush} returns. */
export interface UsePushResult {
  /** This browser can receive Web Push (service workers, the Push API, notifications). */
  supported: boolean
  /** The server offers Web Push: its welcome carried a VAPID key. False until welcomed. */
  available: boolean
  /** Whether the user allowed notifications; undefined where they are not supported. */
  permission: NotificationPermission | undefined
  /** This browser holds a push subscription for the service worker; false until welcomed. */
  subscribed: boolean
  /** An `enable` or `disable` has not finished. */
  busy: boolean
  /** {@link enablePush}: call it from a click handler, for the permission prompt. */
  enable: () => Promise<void>
  /** {@link disablePush}. */
  disable: () => Promise<void>
  /** Why the last `enable` or `disable` failed, its `code` says; cleared by the next. */
  error: PushError | undefined
}

/**
 * Web Push for the signed-in user, over the notifications socket it shares with
 * `useNotifications`: whether it is on in this browser, and the controls that turn it on and off.
 * A browser subscribed before is sent again once welcomed, which renews the subscription for
 * another 30 days while the user keeps coming back.
 *
 * @example
 * const push = usePush({ serviceWorkerUrl: '/herald-sw.js' })
 * <button disabled={!push.available || push.busy} onClick={push.enable}>Enable push</button>
 */
export function usePush(options: PushOptions): UsePushResult {
  const supported = isPushSupported()
  // The same options as useNotifications, whichever of the two opens the shared socket first.
  const { state, service } = useHeraldSocket('notifications', ignore, { loadRecent: true })
  const [permission, setPermission] = useState(() => (supported ? Notification.permission : undefined))
  const [subscribed, setSubscribed] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<PushError>()
  const latest = useRef(options)
  latest.current = options
  const checked = useRef(false)

  const run = useCallback(
    async (action: (service: WebSocketService, options: PushOptions) => Promise<unknown>, after: boolean) => {
      const current = service.current
      if (!current) return
      setBusy(true)
      setError(undefined)
      try {
        // Called at once: enablePush asks permission first, while the click's user gesture lasts.
        await action(current, latest.current)
        setSubscribed(after)
      } catch (cause) {
        // Both reject with a PushError; anything else is a bug, left to surface.
        if (!(cause instanceof PushError)) throw cause
        setError(cause)
      } finally {
        setBusy(false)
        if (supported) setPermission(Notification.permission)
      }
    },
    [service, supported],
  )
  const enable = useCallback(() => run(enablePush, true), [run])
  const disable = useCallback(() => run(disablePush, false), [run])

  // Once welcomed, the key known: a subscription the browser holds is sent again, once per mount,
  // so the server keeps it another 30 days for as long as the user comes back.
  useEffect(() => {
    if (!supported || state !== ConnectionState.Open || checked.current) return
    checked.current = true
    void navigator.serviceWorker
      .getRegistration(latest.current.serviceWorkerUrl)
      .then((registration) => registration?.pushManager.getSubscription())
      .then((held) => {
        setSubscribed(Boolean(held))
        if (held && Notification.permission === 'granted') void enable()
      })
  }, [state, supported, enable])

  return {
    supported,
    available: state === ConnectionState.Open && Boolean(service.current?.pushPublicKey),
    permission,
    subscribed,
    busy,
    enable,
    disable,
    error,
  }
}
