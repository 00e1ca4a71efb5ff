import { type ReactElement, useId, useState } from 'react'
import { styles } from './notification-styles.js'

const HOUR_MS = 3_600_000

/** The next day at 9:00 in the reader's own time zone, whatever the length of the day between. */
export function tomorrowMorning(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0, 0)
}

/** What the menu offers, each as a time from now. */
const CHOICES: readonly { label: string; name: string; until: (now: Date) => Date }[] = [
  { label: '1 hour', name: 'for 1 hour', until: (now) => new Date(now.getTime() + HOUR_MS) },
  { label: 'Tomorrow 9:00', name: 'until tomorrow 9:00', until: tomorrowMorning },
]

/**
 * A button that opens the snooze choices for one inbox entry: a disclosure of plain buttons, so a
 * keyboard reaches each with Tab and a screen reader hears what each does.
 */
export function SnoozeMenu({
  title,
  onSnooze,
}: {
  title: string
  onSnooze: (until: Date) => void
}): ReactElement {
  const [open, setOpen] = useState(false)
  const choicesId = useId()
  return (
    <span style={styles.snooze}>
      <button
        type="button"
        aria-label={`Snooze ${title}`}
        aria-expanded={open}
        aria-controls={choicesId}
        onClick={() => setOpen(!open)}
        style={styles.dismiss}
      >
        <svg
          aria-hidden="true"
          width="16"
          height="16"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <circle cx="12" cy="13" r="8" />
          <path d="M12 9v4l2 2M5 3 2 6M22 6l-3-3" />
        </svg>
      </button>
      {open && (
        <fieldset id={choicesId} aria-label={`Snooze ${title}`} style={styles.snoozeChoices}>
          {CHOICES.map((choice) => (
            <button
              key={choice.label}
              type="button"
              aria-label={`Snooze ${title} ${choice.name}`}
              onClick={() => {
                setOpen(false)
                onSnooze(choice.until(new Date()))
              }}
            >
              {choice.label}
            </button>
          ))}
        </fieldset>
      )}
    </span>
  )
}
