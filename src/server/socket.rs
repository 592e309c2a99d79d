//! The server's Unix socket: where it lives, binding it mode 0660 with the command center's group,
//! refusing to take over a live one, and who is on the other end (SO_PEERCRED).

use std::ffi::{CStr, CString};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};

/// The default socket: `$XDG_RUNTIME_DIR/jiban/jiban.sock`, or `/tmp/jiban-<uid>/jiban.sock`.
pub fn default_socket() -> PathBuf {
    match dirs::runtime_dir() {
        Some(d) => d.join("jiban").join("jiban.sock"),
        // SAFETY: getuid cannot fail.
        None => std::env::temp_dir()
            .join(format!("jiban-{}", unsafe { libc::getuid() }))
            .join("jiban.sock"),
    }
}

/// Binds the socket at `path`: mode 0660, owned by `group` when given. A live socket there (a
/// server answers) is refused; a stale one (left by a killed server) is replaced.
pub fn bind(path: &Path, group: Option<&str>) -> anyhow::Result<UnixListener> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(anyhow!(
                "{} exists and is not a socket; remove it or choose another --socket",
                path.display()
            ));
        }
        if UnixStream::connect(path).is_ok() {
            return Err(anyhow!(
                "another jiban server is already listening on {}",
                path.display()
            ));
        }
        std::fs::remove_file(path)
            .with_context(|| format!("removing the stale socket {}", path.display()))?;
        tracing::info!(socket = %path.display(), "removed a stale socket");
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the socket folder {}", dir.display()))?;
            // Group members must reach the socket inside.
            let mode = if group.is_some() { 0o750 } else { 0o700 };
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))?;
        }
    }
    // No moment with wider permissions: the socket is born 0660 under this umask.
    // SAFETY: umask only swaps the process's file-creation mask.
    let old = unsafe { libc::umask(0o117) };
    let bound = UnixListener::bind(path);
    // SAFETY: as above, restoring the previous mask.
    unsafe { libc::umask(old) };
    let listener = bound.with_context(|| format!("binding {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
    if let Some(group) = group {
        let gid = group_id(group)?;
        let c = CString::new(path.as_os_str().as_encoded_bytes())?;
        // SAFETY: a valid NUL-terminated path; uid -1 leaves the owner unchanged.
        if unsafe { libc::chown(c.as_ptr(), u32::MAX, gid) } != 0 {
            return Err(anyhow!(
                "setting the group of {} to {group}: {} (the server's user must be a member of {group})",
                path.display(),
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(listener)
}

fn group_id(name: &str) -> anyhow::Result<libc::gid_t> {
    let c = CString::new(name)?;
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut out: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; the result points into `grp`/`buf`.
    let rc =
        unsafe { libc::getgrnam_r(c.as_ptr(), &mut grp, buf.as_mut_ptr(), buf.len(), &mut out) };
    if rc != 0 || out.is_null() {
        return Err(anyhow!("socket group {name:?}: no such group"));
    }
    Ok(grp.gr_gid)
}

/// The OS user name of `uid`, from the password database.
pub fn user_name(uid: u32) -> Option<String> {
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; the result points into `pwd`/`buf`.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut out) };
    if rc != 0 || out.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name is a NUL-terminated string inside `buf`.
    let name = unsafe { CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

/// The OS user name of this process (what a client's connection will be seen as).
pub fn current_user() -> Option<String> {
    // SAFETY: getuid cannot fail.
    user_name(unsafe { libc::getuid() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_is_0660_and_a_live_one_is_not_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run").join("j.sock");
        let listener = bind(&path, None).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o660);
        let err = bind(&path, None).unwrap_err().to_string();
        assert!(err.contains("already listening"), "{err}");
        drop(listener);
        // The file is left behind by a dead server: stale, replaced.
        assert!(path.exists());
        bind(&path, None).unwrap();
    }

    #[test]
    fn a_file_that_is_not_a_socket_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sock");
        std::fs::write(&path, "notes").unwrap();
        assert!(bind(&path, None)
            .unwrap_err()
            .to_string()
            .contains("not a socket"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "notes");
    }

    #[test]
    fn an_unknown_group_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = bind(&dir.path().join("j.sock"), Some("no-such-group-jiban"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no-such-group-jiban"), "{err}");
    }

    #[test]
    fn this_process_has_a_user_name() {
        assert!(current_user().is_some_and(|n| !n.is_empty()));
    }
}
