//! The Redis URL an app is given, read into a client for the adapter.

use super::error::Error;

/// Parses a Redis URL, asking for the RESP3 protocol the adapter needs unless the URL names one.
pub(super) fn redis_client(url: &str) -> Result<redis::Client, Error> {
    let with_protocol = if url.contains("protocol=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    };
    let bad = |source| Error::BadRedisUrl {
        value: url.to_owned(),
        source,
    };
    let client = redis::Client::open(with_protocol).map_err(bad)?;
    if !client
        .get_connection_info()
        .redis_settings()
        .protocol()
        .supports_resp3()
    {
        return Err(bad(redis::RedisError::from((
            redis::ErrorKind::InvalidClientConfig,
            "Rain's adapter needs RESP3 (Redis 7 or later); leave `protocol` out of the URL",
        ))));
    }
    Ok(client)
}
