//! A PostgreSQL server for the store tests: the one `KEFU_TEST_POSTGRES_URL` names (its user may
//! create databases), else a throwaway cluster started here (`initdb` into a temporary folder,
//! `pg_ctl start` on a free loopback port, stopped when the test process exits). When neither
//! is possible the tests fail with the reason: they never skip. Each test gets a database of its
//! own, dropped when it is done.
//!
//! PostgreSQL refuses to run as root, so as root (CI) the cluster is run by the `postgres` user
//! (made by Debian's package) or else `nobody`, through `runuser`.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection;

/// A database of its own for one test; dropped with it.
pub struct TestDatabase {
    /// Its URL, for `store.url`.
    pub url: String,
    name: String,
}

impl TestDatabase {
    /// A new, empty database.
    pub fn new() -> TestDatabase {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("kefu_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let server = server();
        admin(server, &format!("CREATE DATABASE {name}"));
        TestDatabase { url: with_database(server, &name), name }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        admin(server(), &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

/// Runs one statement on the server's maintenance database.
fn admin(server: &str, sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(server)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL server: {e}"));
        sqlx::raw_sql(sql).execute(&mut connection).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    });
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        out = format!("{out}?{query}");
    }
    out
}

/// The URL of the server's maintenance database: `KEFU_TEST_POSTGRES_URL`, or a cluster started
/// once for the whole test process.
fn server() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("KEFU_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => start_cluster().unwrap_or_else(|reason| {
            panic!(
                "PostgreSQL is needed by the store tests and none could be started: {reason}. \
                 Install PostgreSQL (Debian: `apt-get install -y postgresql`; .ci/run does) or set \
                 KEFU_TEST_POSTGRES_URL=postgres://USER@HOST:PORT/postgres"
            )
        }),
    })
}

/// The cluster's folder, removed (after `pg_ctl stop`) when the process exits.
static CLUSTER: OnceLock<(PathBuf, PathBuf, Option<String>)> = OnceLock::new();

extern "C" fn stop_cluster() {
    if let Some((bin, dir, user)) = CLUSTER.get() {
        let data = dir.join("data");
        let _ = as_user(user.as_deref(), &bin.join("pg_ctl"))
            .args(["stop", "-m", "immediate", "-w", "-D"])
            .arg(&data)
            .output();
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `initdb`, then `pg_ctl start` on a free loopback port; the URL of database `postgres`.
fn start_cluster() -> Result<String, String> {
    let bin = postgres_bin().ok_or("no `initdb` on PATH nor in /usr/lib/postgresql/*/bin")?;
    let user = if unsafe { libc::geteuid() } == 0 { Some(unprivileged_user()?) } else { None };
    let dir = tempfile::Builder::new().prefix("kefu-pg-").tempdir().map_err(|e| e.to_string())?.keep();
    if let Some(user) = &user {
        chown(&dir, user)?;
    }
    let data = dir.join("data");
    run(as_user(user.as_deref(), &bin.join("initdb"))
        .args(["-A", "trust", "-U", "kefu", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
        .arg(&data))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let options = format!(
        "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off \
         -c synchronous_commit=off -c max_connections=200",
        dir.display()
    );
    let _ = CLUSTER.set((bin.clone(), dir.clone(), user.clone()));
    // SAFETY: registers a plain function to run at exit.
    unsafe { libc::atexit(stop_cluster) };
    run(as_user(user.as_deref(), &bin.join("pg_ctl"))
        .args(["start", "-w", "-t", "60", "-o", &options, "-l"])
        .arg(dir.join("log"))
        .arg("-D")
        .arg(&data))
    .map_err(|e| {
        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        format!("{e}\n{log}")
    })?;
    Ok(format!("postgres://kefu@127.0.0.1:{port}/postgres"))
}

/// The folder of `initdb` and `pg_ctl`: on PATH, else Debian's newest version.
fn postgres_bin() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    });
    on_path.or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
            .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    })
}

/// A user PostgreSQL may run as: `postgres` if it exists, else `nobody`.
fn unprivileged_user() -> Result<String, String> {
    ["postgres", "nobody"]
        .into_iter()
        .find(|user| uid_gid(user).is_some())
        .map(String::from)
        .ok_or_else(|| "running as root, and neither user `postgres` nor `nobody` exists".into())
}

fn uid_gid(user: &str) -> Option<(u32, u32)> {
    let name = CString::new(user).ok()?;
    // SAFETY: getpwnam reads the user database; the result is read at once, on this thread.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    // SAFETY: a non-null result points at a valid passwd record.
    (!entry.is_null()).then(|| unsafe { ((*entry).pw_uid, (*entry).pw_gid) })
}

fn chown(path: &Path, user: &str) -> Result<(), String> {
    let (uid, gid) = uid_gid(user).ok_or_else(|| format!("no user `{user}`"))?;
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(|e| format!("chown {}: {e}", path.display()))
}

/// `program`, run as `user` through `runuser` when one is given.
fn as_user(user: Option<&str>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{command:?} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}
