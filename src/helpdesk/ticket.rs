//! A ticket's life: open → assigned → resolved, or expired when no agent took it up in time.
//! Pure: the store applies the transitions this module allows.

use serde::{Deserialize, Serialize};

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Waiting for an agent; the customer's messages are kept for the agent, not answered by kefu.
    Open,
    /// An agent took it.
    Assigned,
    /// An agent closed it; kefu answers the customer again.
    Resolved,
    /// Nobody took it up within `handoff.ticket_ttl_hours`; kefu answers the customer again.
    Expired,
}

impl TicketState {
    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Open => "open",
            TicketState::Assigned => "assigned",
            TicketState::Resolved => "resolved",
            TicketState::Expired => "expired",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<TicketState> {
        [TicketState::Open, TicketState::Assigned, TicketState::Resolved, TicketState::Expired]
            .into_iter()
            .find(|s| s.as_str() == name)
    }

    /// Whether the ticket still waits for, or is with, an agent.
    pub fn active(self) -> bool {
        matches!(self, TicketState::Open | TicketState::Assigned)
    }
}

/// What is done to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketAction {
    /// An agent takes it (or another agent takes it over).
    Assign,
    /// An agent replies to the customer: an open ticket becomes theirs.
    Reply,
    /// An agent closes it.
    Resolve,
    /// Its time ran out.
    Expire,
}

impl TicketAction {
    /// The system event recorded in the conversation when the action changes the state.
    pub fn event(self) -> &'static str {
        match self {
            TicketAction::Assign | TicketAction::Reply => "ticket_assigned",
            TicketAction::Resolve => "ticket_resolved",
            TicketAction::Expire => "ticket_expired",
        }
    }
}

/// The state `action` leads `from` to, or `None` when it is not allowed (a resolved ticket is
/// not replied to; a new handoff opens a new ticket).
pub fn transition(from: TicketState, action: TicketAction) -> Option<TicketState> {
    use TicketAction as A;
    use TicketState as S;
    match (from, action) {
        (S::Open | S::Assigned, A::Assign | A::Reply) => Some(S::Assigned),
        (S::Open | S::Assigned, A::Resolve) => Some(S::Resolved),
        (S::Open | S::Assigned, A::Expire) => Some(S::Expired),
        (S::Resolved | S::Expired, _) => None,
    }
}

/// How soon a ticket should be taken up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// In turn.
    Normal,
    /// Before the others: the customer is frustrated or complains.
    High,
}

impl Priority {
    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::High => "high",
        }
    }

    /// The priority of a handoff for `reason`, the customer `frustrated` or not.
    pub fn of(reason: crate::answer::HandoffReason, frustrated: bool) -> Priority {
        if frustrated || reason == crate::answer::HandoffReason::Complaint {
            Priority::High
        } else {
            Priority::Normal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketAction as A;
    use TicketState as S;

    #[test]
    fn transitions() {
        assert_eq!(transition(S::Open, A::Assign), Some(S::Assigned));
        assert_eq!(transition(S::Open, A::Reply), Some(S::Assigned), "a reply takes the ticket");
        assert_eq!(transition(S::Assigned, A::Assign), Some(S::Assigned), "taken over");
        assert_eq!(transition(S::Assigned, A::Resolve), Some(S::Resolved));
        assert_eq!(transition(S::Open, A::Expire), Some(S::Expired));
        for done in [S::Resolved, S::Expired] {
            assert!(!done.active());
            for action in [A::Assign, A::Reply, A::Resolve, A::Expire] {
                assert_eq!(transition(done, action), None, "{done:?} {action:?}");
            }
        }
        for state in [S::Open, S::Assigned, S::Resolved, S::Expired] {
            assert_eq!(TicketState::parse(state.as_str()), Some(state));
        }
    }

    #[test]
    fn frustration_and_complaints_come_first() {
        use crate::answer::HandoffReason as R;
        assert_eq!(Priority::of(R::LowConfidence, false), Priority::Normal);
        assert_eq!(Priority::of(R::LowConfidence, true), Priority::High);
        assert_eq!(Priority::of(R::Complaint, false), Priority::High);
        assert!(Priority::High > Priority::Normal);
    }
}
