//! A blocking PostgreSQL connection whose every call is bounded in time.
//!
//! Built on `tokio-postgres` (rust-postgres) driven by a current-thread runtime owned by the
//! connection, so that each call can be wrapped in a client-side timeout: a server that goes
//! away, freezes or never answers the start-up handshake yields [`QueueError::Timeout`] or
//! [`QueueError::Db`] within [`DbConfig::call_timeout`], never a hang. The server also gets a
//! `statement_timeout` slightly below that bound, so it abandons what the client gave up on.

use std::future::Future;
use std::time::Duration;

use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use crate::schema::{MIGRATIONS, MIGRATION_LOCK, SCHEMA_VERSION};
use crate::QueueError;

/// Time limits and identification of a connection.
#[derive(Clone, Debug)]
pub struct DbConfig {
    /// Limit on connecting (TCP and start-up handshake together).
    pub connect_timeout: Duration,
    /// Limit on every later call (query, statement, transaction step).
    pub call_timeout: Duration,
    /// `application_name` shown in `pg_stat_activity`.
    pub application_name: String,
}

impl Default for DbConfig {
    fn default() -> Self {
        DbConfig {
            connect_timeout: Duration::from_secs(10),
            call_timeout: Duration::from_secs(30),
            application_name: "zkroll".into(),
        }
    }
}

/// One connection to the queue database (see the module docs for the time bounds).
pub struct Db {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
    url: String,
    call_timeout: Duration,
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        // key=value form: hide the value of `password=`.
        return url
            .split(' ')
            .map(|kv| match kv.split_once('=') {
                Some(("password", _)) => "password=***".to_string(),
                _ => kv.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ");
    };
    let rest = &url[scheme_end + 3..];
    let Some(at) = rest.find('@') else {
        return url.to_string();
    };
    let userinfo = &rest[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

impl Db {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/db` or key=value form),
    /// then creates or upgrades the queue tables. Fails with a typed error naming the server
    /// if the URL is malformed, the server is unreachable or silent, or its schema is newer.
    pub fn connect(url: &str, config: &DbConfig) -> Result<Db, QueueError> {
        let shown = redact(url);
        let mut pg: tokio_postgres::Config = url.parse().map_err(|e| QueueError::BadUrl {
            url: shown.clone(),
            reason: format!("{e}"),
        })?;
        if pg.get_hosts().is_empty() {
            return Err(QueueError::BadUrl {
                url: shown,
                reason: "no host".into(),
            });
        }
        let ms = config.call_timeout.as_millis().max(1000);
        pg.connect_timeout(config.connect_timeout)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(15))
            .application_name(&config.application_name)
            .options(format!(
                "-c statement_timeout={} -c idle_in_transaction_session_timeout={}",
                ms - ms / 10,
                ms * 2
            ));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(QueueError::Runtime)?;
        let connected = rt.block_on(async {
            tokio::time::timeout(config.connect_timeout, pg.connect(NoTls)).await
        });
        let (client, connection) = connected
            .map_err(|_| QueueError::Timeout {
                what: "connecting",
                url: shown.clone(),
                after: config.connect_timeout,
            })?
            .map_err(|source| QueueError::Connect {
                url: shown.clone(),
                source,
            })?;
        let conn_url = shown.clone();
        rt.spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(url = %conn_url, error = %e, "queue connection closed");
            }
        });
        let db = Db {
            rt,
            client,
            url: shown,
            call_timeout: config.call_timeout,
        };
        db.migrate()?;
        Ok(db)
    }

    /// The server's URL, password removed.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `f` on this connection's runtime under the call timeout.
    fn run<T>(
        &self,
        what: &'static str,
        f: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, QueueError> {
        self.rt
            .block_on(async { tokio::time::timeout(self.call_timeout, f).await })
            .map_err(|_| QueueError::Timeout {
                what,
                url: self.url.clone(),
                after: self.call_timeout,
            })?
            .map_err(|source| QueueError::Db {
                what,
                url: self.url.clone(),
                source,
            })
    }

    /// Runs a query and returns its rows.
    pub fn query(
        &self,
        what: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, QueueError> {
        self.run(what, self.client.query(sql, params))
    }

    /// Runs a query returning at most one row.
    pub fn query_opt(
        &self,
        what: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, QueueError> {
        self.run(what, self.client.query_opt(sql, params))
    }

    /// Runs a statement and returns the number of rows it changed.
    pub fn execute(
        &self,
        what: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, QueueError> {
        self.run(what, self.client.execute(sql, params))
    }

    /// Runs one or more statements with the simple query protocol (no parameters), e.g. a
    /// `CREATE DATABASE`, which cannot run in a transaction.
    pub fn batch_execute(&self, what: &'static str, sql: &str) -> Result<(), QueueError> {
        self.run(what, self.client.batch_execute(sql))
    }

    /// Applies the missing migrations in one transaction under an advisory lock.
    fn migrate(&self) -> Result<(), QueueError> {
        const WHAT: &str = "migrating the queue schema";
        self.run(
            WHAT,
            self.client.batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK}); \
                 CREATE TABLE IF NOT EXISTS zkroll_queue_schema (version INT PRIMARY KEY, \
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now());"
            )),
        )?;
        let result = (|| {
            let found: i32 = self
                .query_opt(
                    WHAT,
                    "SELECT coalesce(max(version), 0) FROM zkroll_queue_schema",
                    &[],
                )?
                .map(|r| r.get(0))
                .unwrap_or(0);
            if found > SCHEMA_VERSION {
                return Err(QueueError::SchemaTooNew {
                    url: self.url.clone(),
                    found,
                    known: SCHEMA_VERSION,
                });
            }
            for v in found + 1..=SCHEMA_VERSION {
                self.run(
                    WHAT,
                    self.client.batch_execute(MIGRATIONS[(v - 1) as usize]),
                )?;
                self.execute(
                    WHAT,
                    "INSERT INTO zkroll_queue_schema (version) VALUES ($1)",
                    &[&v],
                )?;
                tracing::info!(url = %self.url, version = v, "queue schema migrated");
            }
            Ok(())
        })();
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.run(WHAT, self.client.batch_execute(end));
        result.and(ended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("host=h user=u"), "host=h user=u");
        assert_eq!(
            redact("host=h password=pw user=u"),
            "host=h password=*** user=u"
        );
    }

    #[test]
    fn a_malformed_url_is_refused_before_any_connection() {
        let err = Db::connect("postgres://u@h:notaport/db", &DbConfig::default())
            .err()
            .expect("refused");
        assert!(matches!(err, QueueError::BadUrl { .. }), "{err}");
        let err = Db::connect("mysql://x", &DbConfig::default())
            .err()
            .expect("refused");
        assert!(matches!(err, QueueError::BadUrl { .. }), "{err}");
    }
}
