//! What a running replication tells an observer, call by call: a call
//! offered, blocked, answered, abandoned; an escalation; a dial's outcome.
//! Batch runs observe nothing (`()`: every call to it compiles away); the
//! live wallboard and its event stream observe everything.
//!
//! Abandonment is resolved lazily (see `router::waiting`): an abandonment
//! is told when the engine learns of it, which may be after later events,
//! with its own time (`at`, the caller's deadline).

/// One thing that happened to a call (times in µs of run time; `queue` is
/// the router's index: inbound queues, then each campaign's live answers,
/// then each queue's callbacks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEvent {
    /// A call entered `queue` (a caller calling again when `retrial`).
    Offered { queue: u32, at: u64, retrial: bool },
    /// A call found no line or no room in `queue`.
    Blocked { queue: u32, at: u64 },
    /// `agent` answered a call of `queue` that arrived at `arrival`; it
    /// talks for `talk` µs then wraps up for `wrap` µs (a difficult call
    /// talks until it escalates).
    Answered {
        queue: u32,
        agent: u32,
        arrival: u64,
        at: u64,
        talk: u64,
        wrap: u64,
    },
    /// A caller of `queue` who arrived at `arrival` hung up at `at`
    /// (`balked`: at once, on hearing the wait).
    Abandoned {
        queue: u32,
        arrival: u64,
        at: u64,
        balked: bool,
    },
    /// `agent`'s call of `queue` needs a supervisor.
    Escalated { agent: u32, queue: u32, at: u64 },
    /// `supervisor` takes over `agent`'s escalated call of `queue` (the
    /// same number when a supervisor handles its own difficult call).
    TakenOver {
        supervisor: u32,
        agent: u32,
        queue: u32,
        at: u64,
    },
    /// A dial of `campaign` got its outcome (`live`: a person answered).
    Dialed { campaign: u32, at: u64, live: bool },
}

/// Receives a replication's call events.
pub trait Observer {
    /// Whether anything is observed (false: the engine skips building events).
    const ON: bool;
    fn event(&mut self, e: CallEvent);
}

/// No one is watching.
impl Observer for () {
    const ON: bool = false;
    #[inline(always)]
    fn event(&mut self, _: CallEvent) {}
}
