//! A single-instance redlock: `SET key token NX PX ttl` to take, a token-checked script to release
//! or extend. Compatible with the redlock (v5) locks of Stigg's Node packages on one Redis: both sides
//! take a key only when it does not exist, and release only their own token.

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{RedisError, Script, Value};

use crate::ids::new_id;

/// How long a lock lives unless extended (Stigg's `LOCK_DURATION`, 5 000 ms).
pub const LOCK_DURATION: Duration = Duration::from_millis(5000);
/// Waiting attempts after the first one (redlock's default `retryCount`).
pub const RETRY_COUNT: u32 = 10;
/// Delay between waiting attempts (redlock's default `retryDelay`).
pub const RETRY_DELAY: Duration = Duration::from_millis(200);
/// Random extra delay of each waiting attempt, up to this (redlock's default `retryJitter`).
pub const RETRY_JITTER: Duration = Duration::from_millis(200);

const RELEASE: &str = r#"if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end"#;
const EXTEND: &str = r#"if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end"#;

/// A lock this process holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// The lock key.
    pub key: String,
    token: String,
}

/// Why a lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another holder has it (after the allowed attempts).
    Held,
    /// Redis refused or failed.
    Redis(RedisError),
}

impl From<RedisError> for LockError {
    fn from(e: RedisError) -> Self {
        LockError::Redis(e)
    }
}

/// True for the error of a write sent to a read-only replica.
pub fn is_read_only(e: &RedisError) -> bool {
    e.to_string()
        .contains("You can't write against a read only replica")
        || e.code() == Some("READONLY")
}

/// One attempt: the lock, or [`LockError::Held`].
pub async fn try_acquire(
    conn: &mut ConnectionManager,
    key: &str,
    ttl: Duration,
) -> Result<Lock, LockError> {
    let token = format!("{}{}", new_id(), new_id());
    let reply: Value = redis::cmd("SET")
        .arg(key)
        .arg(&token)
        .arg("NX")
        .arg("PX")
        .arg(ttl.as_millis() as u64)
        .query_async(conn)
        .await?;
    match reply {
        Value::Okay => Ok(Lock {
            key: key.to_owned(),
            token,
        }),
        Value::SimpleString(s) if s == "OK" => Ok(Lock {
            key: key.to_owned(),
            token,
        }),
        _ => Err(LockError::Held),
    }
}

/// A first attempt, then up to [`RETRY_COUNT`] more spaced by [`RETRY_DELAY`] + jitter while the
/// lock is held elsewhere (Stigg's `DistributedLocks.using`).
pub async fn acquire_waiting(
    conn: &mut ConnectionManager,
    key: &str,
    ttl: Duration,
) -> Result<Lock, LockError> {
    let mut attempt = 0;
    loop {
        match try_acquire(conn, key, ttl).await {
            Err(LockError::Held) if attempt < RETRY_COUNT => {
                attempt += 1;
                let jitter = jitter_ms(RETRY_JITTER.as_millis() as u64);
                tokio::time::sleep(RETRY_DELAY + Duration::from_millis(jitter)).await;
            }
            other => return other,
        }
    }
}

/// Releases `lock` if this process still holds it.
pub async fn release(conn: &mut ConnectionManager, lock: &Lock) -> Result<bool, RedisError> {
    let n: i64 = Script::new(RELEASE)
        .key(&lock.key)
        .arg(&lock.token)
        .invoke_async(conn)
        .await?;
    Ok(n == 1)
}

/// Extends `lock` to `ttl` from now if this process still holds it.
pub async fn extend(
    conn: &mut ConnectionManager,
    lock: &Lock,
    ttl: Duration,
) -> Result<bool, RedisError> {
    let n: i64 = Script::new(EXTEND)
        .key(&lock.key)
        .arg(&lock.token)
        .arg(ttl.as_millis() as u64)
        .invoke_async(conn)
        .await?;
    Ok(n == 1)
}

fn jitter_ms(max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    crate::ids::random_u64() % max
}
