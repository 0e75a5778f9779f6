//! The machine's inventory: what the agent offers to send when the customer allows system
//! information. sysinfo for what every platform has (system, CPU, memory, disks, network,
//! processes); the platform's own sources for the rest: on Linux `/sys` for GPUs and batteries
//! and the Debian or RPM package database for installed software; on Windows the registry's
//! uninstall keys; on macOS `/Applications`.
//!
//! Everything is read as text from the machine and passed through [`cell`], so the result is
//! always a valid [`Inventory`].

use std::net::IpAddr;

use deskside_proto::inventory::{MAX_ROWS, cell};
use deskside_proto::{Inventory, MonitorInfo, Section, SectionKind};
use sysinfo::{Disks, Networks, ProcessesToUpdate, System};

/// Collects every section, now (`now_ms`, for the record). Takes about a quarter of a second
/// (processes' CPU use is measured over an interval); run it off the UI thread.
#[must_use]
pub fn gather(now_ms: u64, displays: &[MonitorInfo]) -> Inventory {
    let mut sys = System::new();
    sys.refresh_memory();
    sys.refresh_cpu_all();
    sys.refresh_processes(ProcessesToUpdate::All, true);
    std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL.max(std::time::Duration::from_millis(200)));
    sys.refresh_cpu_all();
    sys.refresh_processes(ProcessesToUpdate::All, true);

    let kv = |pairs: Vec<(&str, String)>| -> Vec<Vec<String>> {
        pairs.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| vec![k.to_owned(), cell(&v)]).collect()
    };
    let system = kv(vec![
        ("os", System::long_os_version().or_else(System::name).unwrap_or_default()),
        ("os-version", System::os_version().unwrap_or_default()),
        ("kernel", System::kernel_version().unwrap_or_default()),
        ("hostname", System::host_name().unwrap_or_default()),
        ("uptime", uptime(System::uptime())),
        ("architecture", System::cpu_arch()),
    ]);
    let cpus = sys.cpus();
    let cpu = kv(vec![
        ("model", cpus.first().map(|c| c.brand().trim().to_owned()).unwrap_or_default()),
        ("cores", System::physical_core_count().map(|n| n.to_string()).unwrap_or_default()),
        ("threads", if cpus.is_empty() { String::new() } else { cpus.len().to_string() }),
        ("frequency", cpus.first().map(|c| format!("{} MHz", c.frequency())).unwrap_or_default()),
    ]);
    let memory = kv(vec![
        ("total", bytes(sys.total_memory())),
        ("available", bytes(sys.available_memory())),
        ("swap-total", bytes(sys.total_swap())),
        ("swap-used", bytes(sys.used_swap())),
    ]);
    let disks = Disks::new_with_refreshed_list()
        .list()
        .iter()
        .map(|d| {
            vec![
                cell(&d.name().to_string_lossy()),
                cell(&d.mount_point().to_string_lossy()),
                cell(&d.file_system().to_string_lossy()),
                bytes(d.total_space()),
                bytes(d.available_space()),
            ]
        })
        .collect();
    let mut network: Vec<Vec<String>> = Networks::new_with_refreshed_list()
        .iter()
        .map(|(name, data)| {
            let addrs: Vec<String> = data
                .ip_networks()
                .iter()
                .filter(|n| !matches!(n.addr, IpAddr::V6(a) if a.is_unicast_link_local()))
                .map(|n| format!("{}/{}", n.addr, n.prefix))
                .collect();
            vec![cell(name), cell(&addrs.join(", ")), cell(&data.mac_address().to_string())]
        })
        .collect();
    network.sort();
    let displays = displays
        .iter()
        .map(|m| {
            let name = if m.primary { format!("{} *", m.name) } else { m.name.clone() };
            vec![cell(&name), format!("{}x{}", m.width, m.height), format!("{},{}", m.x, m.y)]
        })
        .collect();
    let mut processes: Vec<(u64, Vec<String>)> = sys
        .processes()
        .iter()
        .map(|(pid, p)| {
            (
                p.memory(),
                vec![
                    pid.to_string(),
                    cell(&p.name().to_string_lossy()),
                    format!("{:.1} %", p.cpu_usage()),
                    bytes(p.memory()),
                ],
            )
        })
        .collect();
    // Biggest first: what a CSR looks for.
    processes.sort_by_key(|p| std::cmp::Reverse(p.0));

    let sections = vec![
        Section { kind: SectionKind::System, rows: system },
        Section { kind: SectionKind::Cpu, rows: cpu },
        Section { kind: SectionKind::Memory, rows: memory },
        Section { kind: SectionKind::Disks, rows: disks },
        Section { kind: SectionKind::Network, rows: network },
        Section { kind: SectionKind::Displays, rows: displays },
        Section { kind: SectionKind::Gpu, rows: gpus() },
        Section { kind: SectionKind::Battery, rows: batteries() },
        Section { kind: SectionKind::Software, rows: software() },
        Section { kind: SectionKind::Processes, rows: processes.into_iter().map(|(_, r)| r).collect() },
    ];
    Inventory {
        collected_unix_ms: now_ms,
        // A section with nothing in it (no battery, no GPU found) is left out, not shown empty.
        sections: sections
            .into_iter()
            .filter(|s| !s.rows.is_empty())
            .map(|mut s| {
                s.rows.truncate(MAX_ROWS);
                s
            })
            .collect(),
    }
}

pub use deskside_proto::words::bytes;

/// How long the machine has been up: `3d 4h 12m`.
#[must_use]
pub fn uptime(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
    if d > 0 { format!("{d}d {h}h {m}m") } else { format!("{h}h {m}m") }
}

/// Installed software: `[name, version]`, sorted by name.
/// The installed programs, `[name, version]`, by name.
pub(crate) fn software() -> Vec<Vec<String>> {
    let mut list = installed_software();
    list.sort_by_key(|r| r.first().map(|n| n.to_lowercase()));
    list
}

#[cfg(target_os = "linux")]
fn installed_software() -> Vec<Vec<String>> {
    if let Ok(status) = std::fs::read_to_string("/var/lib/dpkg/status") {
        return dpkg_installed(&status);
    }
    // RPM-based systems: ask rpm itself.
    std::process::Command::new("rpm")
        .args(["-qa", "--queryformat", "%{NAME}\\t%{VERSION}-%{RELEASE}\\n"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| tab_separated(&String::from_utf8_lossy(&o.stdout)))
        .unwrap_or_default()
}

#[cfg(target_os = "windows")]
fn installed_software() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for key in [
        r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall",
        r"HKLM\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
        r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall",
    ] {
        if let Ok(o) = std::process::Command::new("reg").args(["query", key, "/s"]).output() {
            out.extend(registry_uninstall(&String::from_utf8_lossy(&o.stdout)));
        }
    }
    out.dedup();
    out
}

#[cfg(target_os = "macos")]
fn installed_software() -> Vec<Vec<String>> {
    std::fs::read_dir("/Applications")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".app").map(|n| vec![cell(n), String::new()])
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn installed_software() -> Vec<Vec<String>> {
    Vec::new()
}

/// The installed packages in a dpkg status file: `[name, version]`.
#[must_use]
pub fn dpkg_installed(status: &str) -> Vec<Vec<String>> {
    status
        .split("\n\n")
        .filter_map(|stanza| {
            let field = |name: &str| {
                stanza.lines().find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')).map(str::trim))
            };
            let name = field("Package")?;
            let installed = field("Status").is_some_and(|s| s.ends_with(" installed"));
            installed.then(|| vec![cell(name), cell(field("Version").unwrap_or(""))])
        })
        .collect()
}

/// `name<TAB>version` lines: `[name, version]`.
#[must_use]
pub fn tab_separated(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(n, _)| !n.trim().is_empty())
        .map(|(n, v)| vec![cell(n.trim()), cell(v.trim())])
        .collect()
}

/// The programs in `reg query ...\Uninstall /s` output: each key's `DisplayName` and
/// `DisplayVersion` (keys without a display name are components, not programs).
#[must_use]
pub fn registry_uninstall(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut current: (Option<String>, String) = (None, String::new());
    let value = |line: &str, name: &str| {
        let rest = line.trim_start().strip_prefix(name)?;
        let rest = rest.trim_start().strip_prefix("REG_SZ")?;
        Some(rest.trim().to_owned())
    };
    for line in text.lines() {
        if line.starts_with("HKEY_") {
            if let (Some(name), version) = std::mem::take(&mut current) {
                out.push(vec![cell(&name), cell(&version)]);
            }
        } else if let Some(v) = value(line, "DisplayName") {
            current.0 = Some(v);
        } else if let Some(v) = value(line, "DisplayVersion") {
            current.1 = v;
        }
    }
    if let (Some(name), version) = current {
        out.push(vec![cell(&name), cell(&version)]);
    }
    out
}

#[cfg(target_os = "linux")]
fn gpus() -> Vec<Vec<String>> {
    let Ok(dir) = std::fs::read_dir("/sys/class/drm") else { return Vec::new() };
    let mut out: Vec<Vec<String>> = dir
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with("card") && !n.contains('-')
        })
        .filter_map(|e| {
            let uevent = std::fs::read_to_string(e.path().join("device/uevent")).ok()?;
            let get = |k: &str| uevent.lines().find_map(|l| l.strip_prefix(k).map(str::to_owned));
            let id = get("PCI_ID=").unwrap_or_default();
            let vendor = match id.split(':').next().unwrap_or("") {
                "8086" => "Intel",
                "10DE" => "NVIDIA",
                "1002" => "AMD",
                "1AF4" => "Virtio",
                "1234" => "QEMU",
                "15AD" => "VMware",
                _ => "",
            };
            let device = if vendor.is_empty() { id.clone() } else { format!("{vendor} ({id})") };
            Some(vec![cell(&device), cell(&get("DRIVER=").unwrap_or_default())])
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(not(target_os = "linux"))]
fn gpus() -> Vec<Vec<String>> {
    Vec::new()
}

#[cfg(target_os = "linux")]
fn batteries() -> Vec<Vec<String>> {
    let Ok(dir) = std::fs::read_dir("/sys/class/power_supply") else { return Vec::new() };
    dir.filter_map(Result::ok)
        .filter(|e| std::fs::read_to_string(e.path().join("type")).is_ok_and(|t| t.trim() == "Battery"))
        .map(|e| {
            let read = |f: &str| std::fs::read_to_string(e.path().join(f)).map(|s| s.trim().to_owned());
            vec![
                cell(&e.file_name().to_string_lossy()),
                read("capacity").map(|c| format!("{c} %")).unwrap_or_default(),
                cell(&read("status").unwrap_or_default()),
            ]
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn batteries() -> Vec<Vec<String>> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_status_lists_only_installed_packages() {
        let status = "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2\n\n\
                      Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n\
                      Package: zsh\nStatus: install ok installed\nPriority: optional\nVersion: 5.9-4\n";
        assert_eq!(dpkg_installed(status), vec![vec!["bash", "5.2.15-2"], vec!["zsh", "5.9-4"]]);
    }

    #[test]
    fn registry_output_lists_programs_with_versions() {
        let text = "\r\nHKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip\r\n    \
                    DisplayName    REG_SZ    7-Zip 23.01 (x64)\r\n    DisplayVersion    REG_SZ    23.01\r\n\r\n\
                    HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{GUID}\r\n    \
                    SystemComponent    REG_DWORD    0x1\r\n\r\n\
                    HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Firefox\r\n    \
                    DisplayName    REG_SZ    Mozilla Firefox\r\n";
        assert_eq!(
            registry_uninstall(text),
            vec![
                vec!["7-Zip 23.01 (x64)".to_owned(), "23.01".to_owned()],
                vec!["Mozilla Firefox".to_owned(), String::new()]
            ]
        );
    }

    #[test]
    fn sizes_and_uptimes_read_well() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(16_743_723_008), "15.6 GiB");
        assert_eq!(uptime(3 * 86_400 + 4 * 3600 + 12 * 60 + 5), "3d 4h 12m");
        assert_eq!(uptime(59), "0h 0m");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn this_machine_is_described() {
        let inv = gather(1, &[]);
        assert!(inv.is_valid());
        let system = inv.section(SectionKind::System).expect("system section");
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("hostname");
        assert!(system.rows.contains(&vec!["hostname".to_owned(), host.trim().to_owned()]), "{system:?}");
        assert!(inv.section(SectionKind::Memory).is_some_and(|m| m.rows.iter().any(|r| r[0] == "total")));
        let software = inv.section(SectionKind::Software).expect("software section");
        assert!(software.rows.iter().any(|r| r[0] == "dpkg"), "the Debian package list, dpkg itself included");
        assert!(inv.section(SectionKind::Processes).is_some_and(|p| !p.rows.is_empty()));
    }
}
