"""The audit log: who did what among the administrative actions (sign-ins, role changes, publishing,
deletions, exports, commands run on the server), visible to administrators at /manage/audit."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
