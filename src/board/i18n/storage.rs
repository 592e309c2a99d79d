//! Storage failures in the board's language: one sentence with the store's path and what to do.

use super::Lang;
use crate::store::problem::StorageProblem;

impl Lang {
    /// A storage failure as one sentence naming the store and what to do.
    pub fn storage(self, p: &StorageProblem) -> String {
        if self == Lang::En {
            return p.to_string();
        }
        match p {
            StorageProblem::DiskFull {
                path,
                free_kib,
                reserve_kib,
            } => format!(
                "存储所在磁盘已满或将满（{}：剩余 {free_kib} KiB，预留 {reserve_kib} KiB）：本次未写入任何内容，请清理磁盘空间后重试",
                path.display()
            ),
            StorageProblem::NotWritable { path, reason } => format!(
                "存储 {} 不可写（{reason}）：请将其重新挂载为可写，或授予本用户写权限",
                path.display()
            ),
            StorageProblem::ReadOnly { path, disk_full } => format!(
                "存储 {} 以只读方式打开（{}）：可查看，不能办理，本次未写入任何内容；{}",
                path.display(),
                if *disk_full { "所在磁盘已满" } else { "存储不可写" },
                if *disk_full {
                    "请清理该磁盘空间后重新打开 jiban"
                } else {
                    "请重新挂载为可写或授予写权限后重新打开 jiban"
                }
            ),
            StorageProblem::InUse { path } => format!(
                "存储 {} 正被另一个 jiban 进程使用（多人共用请运行 jiban serve）",
                path.display()
            ),
            StorageProblem::Damaged { path, reason } => format!(
                "存储 {} 无法打开：{reason}；请运行 jiban --data {} check 查看详情",
                path.display(),
                path.display()
            ),
            StorageProblem::Unwritable { reason } => format!(
                "此前一次写盘失败（{reason}），存储已停止写入：请重启 jiban（或 jiban serve）后重试"
            ),
            StorageProblem::Other {
                path: Some(path),
                message,
            } => format!("存储 {} 出错：{message}", path.display()),
            StorageProblem::Other {
                path: None,
                message,
            } => format!("存储出错：{message}"),
        }
    }

    /// The header's banner while the store is read through a copy.
    pub fn read_only_banner(self) -> &'static str {
        self.pick(
            "只读：存储不可写（只读挂载或磁盘已满），可查看，不能办理",
            "read-only: the store cannot be written (read-only or a full disk); viewing only",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_full_disk_names_the_store_and_what_to_do_in_both_languages() {
        let p = StorageProblem::DiskFull {
            path: PathBuf::from("/srv/jiban/store"),
            free_kib: 12,
            reserve_kib: 65536,
        };
        let zh = Lang::Zh.storage(&p);
        assert!(
            zh.contains("/srv/jiban/store") && zh.contains("清理磁盘空间"),
            "{zh}"
        );
        let en = Lang::En.storage(&p);
        assert!(
            en.contains("/srv/jiban/store") && en.contains("free some space"),
            "{en}"
        );
        // No Rust debug text, one sentence.
        for s in [&zh, &en] {
            assert!(!s.contains("Os {") && !s.contains("kind:"), "{s}");
        }
    }
}
