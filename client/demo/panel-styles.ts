import type { CSSProperties } from 'react'

/** The look the dashboard's side panels share: a white card, its heading, a group of controls, an error. */
export const panelStyles = {
  panel: {
    background: '#fff',
    borderRadius: 8,
    padding: 16,
    display: 'grid',
    gap: 12,
    alignContent: 'start',
    margin: 0,
  },
  heading: { margin: 0, fontSize: 16 },
  group: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: 8,
    border: '1px solid #e5e7eb',
    borderRadius: 6,
  },
  /** A refusal or failure, shown where it happened. */
  error: { margin: 0, fontSize: 13, color: '#b91c1c' },
} satisfies Record<string, CSSProperties>
