import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { Dashboard } from './dashboard.js'

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <Dashboard />
  </StrictMode>,
)
