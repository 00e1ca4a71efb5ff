import { type CSSProperties, type FormEvent, useEffect, useId, useState } from 'react'
import { SEVERITIES, type Severity } from '../../shared/protocol/notifications.js'
import type { Preferences } from '../../shared/protocol/preferences.js'
import { useNotifications } from '../react/use-notifications.js'
import { panelStyles } from './panel-styles.js'
import { PushControl } from './push-control.js'

/** What the form edits: text as typed, turned into preferences only when saved. */
interface Draft {
  sources: string
  muteAlerts: boolean
  muteUploads: boolean
  inbox: Severity | ''
  toast: Severity | ''
  quietStart: string
  quietEnd: string
  timeZone: string
}

const OWN_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone

function draftOf(preferences: Preferences | undefined): Draft {
  const topics = preferences?.mute?.topics ?? []
  return {
    sources: (preferences?.mute?.sources ?? []).join(', '),
    muteAlerts: topics.includes('alerts'),
    muteUploads: topics.includes('uploads'),
    inbox: preferences?.minSeverity?.inbox ?? '',
    toast: preferences?.minSeverity?.toast ?? '',
    quietStart: preferences?.quietHours?.start ?? '',
    quietEnd: preferences?.quietHours?.end ?? '',
    timeZone: preferences?.quietHours?.timeZone ?? '',
  }
}

/**
 * The preferences the draft says, over the ones held: `set_preferences` replaces them whole, so
 * what this form does not show (push and e-mail thresholds) is kept. Quiet hours with a time but
 * no zone take the browser's; half-filled ones go as they are, for the server to refuse.
 */
function preferencesOf(draft: Draft, held: Preferences | undefined): Preferences {
  const sources = draft.sources
    .split(',')
    .map((source) => source.trim())
    .filter(Boolean)
  const topics = [
    ...(draft.muteAlerts ? ['alerts' as const] : []),
    ...(draft.muteUploads ? ['uploads' as const] : []),
  ]
  const { inbox: _inbox, toast: _toast, ...kept } = held?.minSeverity ?? {}
  const minSeverity = {
    ...kept,
    ...(draft.inbox ? { inbox: draft.inbox } : {}),
    ...(draft.toast ? { toast: draft.toast } : {}),
  }
  const quiet = draft.quietStart || draft.quietEnd
  return {
    mute: { sources, topics },
    minSeverity,
    ...(quiet
      ? { quietHours: { start: draft.quietStart, end: draft.quietEnd, timeZone: draft.timeZone || OWN_ZONE } }
      : {}),
  }
}

function SeveritySelect(props: {
  label: string
  value: Severity | ''
  onChange: (value: Severity | '') => void
}) {
  const id = useId()
  return (
    <>
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value as Severity | '')}>
        <option value="">any</option>
        {SEVERITIES.map((severity) => (
          <option key={severity}>{severity}</option>
        ))}
      </select>
    </>
  )
}

/**
 * The user's inbox preferences, the same in every tab: what is muted, the least severe alert the
 * inbox takes and the least one toasted, and quiet hours. The form shows what the server holds,
 * and what another tab saves; a refusal is shown and changes nothing. Push to this browser is
 * turned on and off here too, at once: it is this browser's, not a preference every tab shares.
 */
export function PreferencesPanel({ pushTimeoutMs }: { pushTimeoutMs?: number | undefined }) {
  const { preferences, setPreferences, preferencesError } = useNotifications()
  const [draft, setDraft] = useState<Draft>(() => draftOf(preferences))
  const ids = { sources: useId(), start: useId(), end: useId(), zone: useId() }
  const edit = (change: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...change }))

  useEffect(() => setDraft(draftOf(preferences)), [preferences])

  const save = (event: FormEvent) => {
    event.preventDefault()
    setPreferences(preferencesOf(draft, preferences))
  }

  return (
    <form aria-labelledby="preferences-heading" onSubmit={save} style={styles.panel}>
      <h2 id="preferences-heading" style={styles.heading}>
        Preferences
      </h2>
      <fieldset style={styles.group}>
        <legend>Mute</legend>
        <label htmlFor={ids.sources}>Sources</label>
        <input
          id={ids.sources}
          value={draft.sources}
          placeholder="e.g. billing, ci"
          size={18}
          onChange={(e) => edit({ sources: e.target.value })}
        />
        <label>
          <input
            type="checkbox"
            checked={draft.muteAlerts}
            onChange={(e) => edit({ muteAlerts: e.target.checked })}
          />{' '}
          alerts
        </label>
        <label>
          <input
            type="checkbox"
            checked={draft.muteUploads}
            onChange={(e) => edit({ muteUploads: e.target.checked })}
          />{' '}
          uploads
        </label>
      </fieldset>
      <fieldset style={styles.group}>
        <legend>Least severe alert</legend>
        <SeveritySelect label="Inbox" value={draft.inbox} onChange={(inbox) => edit({ inbox })} />
        <SeveritySelect label="Toast" value={draft.toast} onChange={(toast) => edit({ toast })} />
      </fieldset>
      <fieldset style={styles.group}>
        <legend>Quiet hours</legend>
        <label htmlFor={ids.start}>From</label>
        <input
          id={ids.start}
          type="time"
          value={draft.quietStart}
          onChange={(e) => edit({ quietStart: e.target.value })}
        />
        <label htmlFor={ids.end}>to</label>
        <input
          id={ids.end}
          type="time"
          value={draft.quietEnd}
          onChange={(e) => edit({ quietEnd: e.target.value })}
        />
        <label htmlFor={ids.zone}>Time zone</label>
        <input
          id={ids.zone}
          value={draft.timeZone}
          placeholder={OWN_ZONE}
          size={16}
          onChange={(e) => edit({ timeZone: e.target.value })}
        />
      </fieldset>
      <PushControl timeoutMs={pushTimeoutMs} />
      <div style={styles.footer}>
        <button type="submit">Save preferences</button>
        {preferencesError && (
          <p role="alert" style={styles.error}>
            {preferencesError}
          </p>
        )}
      </div>
    </form>
  )
}

const styles = {
  ...panelStyles,
  footer: { display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' },
} satisfies Record<string, CSSProperties>
