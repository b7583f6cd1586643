//! A token bucket per API key: `burst` requests at once, refilled at `per_minute`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Buckets by key. Time is passed in, so that the arithmetic is testable.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: HashMap<String, Bucket>,
}

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
        }
    }

    /// Takes a token for `key`, or says how long until one is available.
    pub fn check(&mut self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let burst = self.burst;
        let bucket = self.buckets.entry(key.to_string()).or_insert(Bucket { tokens: burst, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(burst);
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
}
