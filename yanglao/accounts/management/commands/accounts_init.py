"""`yanglao accounts_init USERNAME`: the first two security administrators of a new site.

Only a security administrator creates accounts, and creating or raising one needs a second
security administrator's approval (docs/security.md), so a new site needs two to start with.
This command creates them from the server's shell and refuses once two exist. The password is
read from the terminal (twice) or from --password-file, never from the command line (it would
show in the process list and the shell history); it is temporary, and the phone app is
enrolled at the first login.
"""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yanglao.accounts.services import AccountInvalid, security_admin_bootstrap


class Command(BaseCommand):
    help = "创建新系统的前两名安全管理员（之后的账号由安全管理员在网页上创建，须另一人批准）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="账号")
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--region", default="", help="辖区代码，默认为省")
        parser.add_argument(
            "--password-file", default="", help="从文件读取初始密码（首行），不指定则在终端输入两次"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if o["password_file"]:
            lines = Path(o["password_file"]).read_text(encoding="utf-8").splitlines()
            password = lines[0] if lines else ""
        else:
            password = getpass.getpass("初始密码：")
            if getpass.getpass("再输入一次：") != password:
                raise CommandError("两次输入的密码不一致")
        try:
            user = security_admin_bootstrap(
                username=o["username"],
                password=password,
                full_name=o["full_name"],
                region=o["region"],
            )
        except AccountInvalid as exc:
            raise CommandError("；".join(m for ms in exc.errors.values() for m in ms)) from exc
        self.stdout.write(f"已创建安全管理员 {user.username}：首次登录时修改密码并绑定手机验证器。")
