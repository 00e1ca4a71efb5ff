import type { CSSProperties } from 'react'
import { useHeraldIdentity } from '../react/use-herald-identity.js'
import { type UsePushResult, usePush } from '../react/use-push.js'
import { panelStyles } from './panel-styles.js'

/** public/herald-sw.js, which the build copies to the dashboard's root. */
const SERVICE_WORKER_URL = '/herald-sw.js'

function stateOf(push: UsePushResult, welcomed: boolean): string {
  if (!push.supported) return 'not supported by this browser'
  if (push.busy) return 'working…'
  if (push.subscribed) return 'on'
  if (push.permission === 'denied') return 'blocked in this browser’s site settings'
  if (!push.available) return welcomed ? 'not on in this Herald' : 'connecting…'
  return 'off'
}

/**
 * Web Push to this browser, for alerts that come while no dashboard tab is open. The button calls
 * `enable` straight from its click: the browser asks for permission only during a user gesture.
 * `timeoutMs`: how long the browser's push service may take (`?pushTimeout=`, for tests).
 */
export function PushControl({ timeoutMs }: { timeoutMs?: number | undefined }) {
  const push = usePush({ serviceWorkerUrl: SERVICE_WORKER_URL, timeoutMs })
  const welcomed = useHeraldIdentity() !== undefined
  return (
    <fieldset style={styles.group}>
      <legend>Push to this browser</legend>
      {push.subscribed ? (
        <button type="button" onClick={push.disable} disabled={push.busy}>
          Disable push
        </button>
      ) : (
        <button
          type="button"
          onClick={push.enable}
          disabled={!push.supported || !push.available || push.busy}
        >
          Enable push
        </button>
      )}
      <output data-testid="herald-push-state">Push: {stateOf(push, welcomed)}</output>
      {push.error && (
        <p role="alert" data-code={push.error.code} style={styles.error}>
          {push.error.message}
        </p>
      )}
    </fieldset>
  )
}

const styles = {
  group: panelStyles.group,
  error: { ...panelStyles.error, flexBasis: '100%' },
} satisfies Record<string, CSSProperties>
