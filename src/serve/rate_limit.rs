//! A token bucket per key (an API key, a client address): `burst` requests at once, refilled at
//! `per_minute`. Buckets that have refilled are forgotten once many are held, so that memory
//! stays bounded by the keys active within a refill period.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Buckets by key. Time is passed in, so that the arithmetic is testable.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: HashMap<String, Bucket>,
    /// Buckets held above which full ones are forgotten.
    prune_at: usize,
}

/// Buckets held before the first pruning.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `per_minute` requests a minute after a burst of `burst`; `per_minute == 0` is unlimited.
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_minute) / 60.0,
            burst: f64::from(burst.max(1)),
            buckets: HashMap::new(),
            prune_at: PRUNE_AT,
        }
    }

    /// How long until `key` may take a token, if it has none now (takes nothing).
    pub fn exhausted(&self, key: &str, now: Instant) -> Option<Duration> {
        let bucket = self.buckets.get(key)?;
        let tokens = self.refilled(bucket, now);
        (tokens < 1.0).then(|| Duration::from_secs_f64((1.0 - tokens) / self.per_second))
    }

    fn refilled(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        (bucket.tokens + elapsed * self.per_second).min(self.burst)
    }

    /// Forgets the buckets that have refilled (they behave as new ones); the next pruning waits
    /// until twice as many are held, so its cost is spread over the insertions.
    fn prune(&mut self, now: Instant) {
        let buckets = std::mem::take(&mut self.buckets);
        self.buckets = buckets.into_iter().filter(|(_, b)| self.refilled(b, now) < self.burst).collect();
        self.prune_at = (self.buckets.len() * 2).max(PRUNE_AT);
    }

    /// Takes a token for `key`, or says how long until one is available.
    pub fn check(&mut self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        if self.buckets.len() >= self.prune_at && !self.buckets.contains_key(key) {
            self.prune(now);
        }
        let burst = self.burst;
        let bucket = *self.buckets.entry(key.to_string()).or_insert(Bucket { tokens: burst, updated: now });
        let tokens = self.refilled(&bucket, now);
        let bucket = self.buckets.get_mut(key).expect("just inserted");
        bucket.tokens = tokens;
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_per_key() {
        let mut limiter = RateLimiter::new(60, 2);
        let t0 = Instant::now();
        assert!(limiter.check("a", t0).is_ok());
        assert!(limiter.check("a", t0).is_ok());
        let wait = limiter.check("a", t0).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-6, "one token a second: {wait:?}");
        assert!(limiter.check("b", t0).is_ok(), "keys have their own buckets");
        assert!(limiter.check("a", t0 + Duration::from_millis(1000)).is_ok());
        assert!(
            RateLimiter::new(0, 1).check("a", t0).is_ok() && RateLimiter::new(0, 1).check("a", t0).is_ok()
        );
    }

    #[test]
    fn exhausted_takes_nothing_and_refilled_buckets_are_forgotten() {
        let mut limiter = RateLimiter::new(60, 1);
        let t0 = Instant::now();
        assert_eq!(limiter.exhausted("a", t0), None);
        assert!(limiter.check("a", t0).is_ok());
        let wait = limiter.exhausted("a", t0).unwrap();
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-6, "{wait:?}");
        assert_eq!(limiter.exhausted("a", t0), Some(wait), "asking takes no token");
        // 20,000 keys, each used once: refilled ones are pruned as new ones arrive.
        for i in 0..20_000u32 {
            let _ = limiter.check(&i.to_string(), t0 + Duration::from_secs(u64::from(i / 1000) * 2));
        }
        assert!(limiter.buckets.len() <= 2 * PRUNE_AT, "{}", limiter.buckets.len());
    }
}
