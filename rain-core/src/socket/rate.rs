//! The event rate limit: one token bucket per socket.

use tokio::time::Instant;

/// A sustained rate and a burst, in events.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rate {
    pub(super) per_second: f64,
    pub(super) burst: f64,
}

/// A token bucket: `burst` tokens at most, refilled at `per_second`; each event takes one.
///
/// A few lines of our own rather than a rate limiting crate: one bucket per socket, never shared
/// between sockets, needs no keyed store or clock abstraction, and counting refusals here is what
/// lets the log speak once per burst.
#[derive(Debug)]
pub(super) struct Bucket {
    tokens: f64,
    last: Instant,
    /// Events refused since the last one allowed.
    refused: u64,
}

/// Whether an event may go on.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Take {
    Allowed { after_refusing: u64 },
    Refused { first: bool },
}

impl Bucket {
    pub(super) fn full(rate: Rate) -> Self {
        Self {
            tokens: rate.burst,
            last: Instant::now(),
            refused: 0,
        }
    }

    pub(super) fn take(&mut self, rate: Rate, now: Instant) -> Take {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Take::Allowed {
                after_refusing: std::mem::take(&mut self.refused),
            }
        } else {
            self.refused += 1;
            Take::Refused {
                first: self.refused == 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_bucket_allows_a_burst_then_the_rate() {
        let rate = Rate {
            per_second: 2.0,
            burst: 3.0,
        };
        let mut bucket = Bucket::full(rate);
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(bucket.take(rate, now), Take::Allowed { after_refusing: 0 });
        }
        assert_eq!(bucket.take(rate, now), Take::Refused { first: true });
        assert_eq!(bucket.take(rate, now), Take::Refused { first: false });
        let later = now + Duration::from_millis(500);
        assert_eq!(
            bucket.take(rate, later),
            Take::Allowed { after_refusing: 2 }
        );
        assert_eq!(bucket.take(rate, later), Take::Refused { first: true });
        // Idle long enough, the bucket refills to the burst and no further.
        let much_later = later + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(matches!(
                bucket.take(rate, much_later),
                Take::Allowed { .. }
            ));
        }
        assert_eq!(bucket.take(rate, much_later), Take::Refused { first: true });
    }
}
