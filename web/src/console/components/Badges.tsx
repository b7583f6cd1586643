import { useApp } from "../context";
import { codeLabel } from "../lib/i18n";
import { ticketBadges } from "../lib/tickets";
import type { Ticket } from "../lib/types";

/** High priority, frustrated, and the handoff reason of a ticket. */
export function TicketBadges({ ticket }: { ticket: Ticket }) {
  const { t } = useApp();
  return (
    <span class="badges">
      {ticketBadges(ticket).map((badge) => (
        <span
          key={badge.kind}
          class={badge.kind === "high" ? "badge badge-danger" : badge.kind === "frustrated" ? "badge badge-warn" : "badge"}
          data-badge={badge.kind}
        >
          {badge.kind === "reason" ? codeLabel(t, "reason", badge.code) : t(badge.kind === "high" ? "badge.high" : "badge.frustrated")}
        </span>
      ))}
    </span>
  );
}

export function StateBadge({ state }: { state: string }) {
  const { t } = useApp();
  return (
    <span class={`badge state state-${state}`} data-state={state}>
      {codeLabel(t, "state", state)}
    </span>
  );
}
