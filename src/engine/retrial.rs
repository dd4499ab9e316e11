//! Callers who abandon and call again. A caller of a queue with `retrial`
//! draws on arrival (from its own stream) whether it would call again if it
//! abandons, and after what delay. A waiting caller who would is tagged in
//! its queue, and a timer is set at its deadline + delay: abandonment being
//! lazy, the tag tells then whether it was answered before its deadline; if
//! not, it abandoned at its deadline and calls again now — a new offered
//! call with the same need (talk, wrap-up), a new patience, counted in
//! `retrials`. A balking caller who would call again does so after its delay.
//! Blocked callers do not, and a caller calls again at most
//! [`MAX_RETRIALS`] times (a bound on a degenerate scenario where callers
//! hang up at once and call back at once, forever).

use super::{Observer, Simulation};
use crate::event::EventKind;
use crate::router::{WaitingCall, NEVER};

/// Most times one caller calls again.
pub const MAX_RETRIALS: u32 = 1000;

impl<O: Observer> Simulation<'_, O> {
    /// `call` of queue `q` would call again `delay` after abandoning: follow it
    /// (and queue it unless it balks).
    #[inline(always)]
    pub(super) fn follow_retry(
        &mut self,
        q: usize,
        call: WaitingCall,
        balks: bool,
        delay: u64,
        now: u64,
    ) {
        // The call goes out of line in two halves: passed whole, its address
        // would be taken, and every arriving call kept on the stack.
        let WaitingCall {
            arrival,
            deadline,
            talk,
            wrap,
        } = call;
        self.follow_retry_cold(q, (arrival, deadline), (talk, wrap), balks, delay, now);
    }

    #[cold]
    #[inline(never)]
    fn follow_retry_cold(
        &mut self,
        q: usize,
        (arrival, deadline): (u64, u64),
        (talk, wrap): (u64, u64),
        balks: bool,
        delay: u64,
        now: u64,
    ) {
        let call = WaitingCall {
            arrival,
            deadline,
            talk,
            wrap,
        };
        let attempt = self.calling_again + 1;
        if attempt > MAX_RETRIALS {
            if !balks {
                self.router.enqueue(q, call);
            }
            return;
        }
        let at = if balks {
            now.saturating_add(delay)
        } else if call.deadline == NEVER {
            // A patient caller never abandons: nothing to follow.
            NEVER
        } else {
            call.deadline.saturating_add(delay)
        };
        // No call arrives after the horizon (draining included): a caller
        // who could only call again after it is not followed.
        if at >= self.grid.horizon {
            if !balks {
                self.router.enqueue(q, call);
            }
            return;
        }
        let tag = self.router.waiting().new_tag();
        if !balks {
            self.router.enqueue_tagged(q, call, tag);
        }
        let i = tag as usize;
        if i >= self.retry_calls.len() {
            self.retry_calls.resize(i + 1, (0, call, 0));
        }
        self.retry_calls[i] = (q as u32, call, attempt);
        self.events.push(at, EventKind::Retrial(tag));
    }

    /// The timer of the caller tagged `tag` fires at `now`: if it was not
    /// answered, it abandoned and calls again.
    pub(super) fn on_retrial(&mut self, tag: u32, now: u64) {
        self.events.pop();
        if self.router.waiting().take_answered(tag) {
            return;
        }
        let (q, mut call, attempt) = self.retry_calls[tag as usize];
        let q = q as usize;
        self.calls_generated += 1;
        let k = self.grid.profile_index(now);
        let src = &mut self.callers[q];
        src.recall(&mut call, now, k);
        let retry = src.retry_delay();
        self.calling_again = attempt;
        self.offer::<false>(q, call, false, retry, true, now);
        self.calling_again = 0;
        self.after_routing(now);
    }
}
