"""What each recorded action means, in words, for the audit log page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed to sign in"),
    "sign_out": _l("Signed out"),
    "sign_in_refused": _l("Refused a sign-in: too many failed attempts for the account"),
    "sign_in_code_failed": _l("Entered a wrong two-factor code"),
    "sign_in_code_refused": _l("Refused a two-factor code: too many wrong codes"),
    "recovery_code_used": _l("Signed in with a recovery code"),
    "password_changed": _l("Changed their own password"),
    "password_reset": _l("Set another user's password"),
    "password_check_failed": _l("Gave a wrong password to confirm a change"),
    "two_factor_enabled": _l("Set up two-factor authentication"),
    "two_factor_turned_off": _l("Turned off their two-factor authentication"),
    "two_factor_reset": _l("Reset a user's two-factor authentication"),
    "recovery_codes_replaced": _l("Got new recovery codes"),
    "signed_out_elsewhere": _l("Signed out of every other browser"),
    "roles_changed": _l("Changed a user's roles"),
    "export": _l("Downloaded answers or results"),
    "response_deleted": _l("Deleted a consultation response by its reference"),
    "backup": _l("Backed up the database"),
    "restore": _l("Restored the database from a backup"),
    "retention": _l("Deleted personal data past its retention period"),
    "response_exported": _l("Exported a response for a data-protection request"),
    "accounts.edit_user": _l("Saved a user"),
    "accounts.edit_organisation": _l("Saved an organisation"),
    "boards.edit_board": _l("Saved a board"),
    "boards.edit_priority": _l("Saved a priority"),
    "boards.change_priority_status": _l("Archived or restored a priority"),
    "prioritise.edit_exercise": _l("Saved an exercise"),
    "prioritise.edit_items": _l("Saved an exercise's items"),
    "prioritise.change_status": _l("Opened or closed an exercise"),
    "prioritise.moderate_suggestion": _l("Moderated a suggestion"),
    "surveys.edit_consultation": _l("Saved a consultation"),
    "surveys.change_consultation_status": _l("Opened or closed a consultation"),
    "surveys.publish": _l("Published a consultation's results"),
    "weights.edit_weight_set": _l("Saved a draft weight set"),
    "weights.publish_weight_set": _l("Published a weight set"),
    "weights.withdraw_weight_set": _l("Withdrew a weight set"),
    "weights.delete_weight_set": _l("Deleted a draft weight set"),
    "api.api_tokens": _l("Issued an API token"),
    "api.revoke_api_token": _l("Revoked an API token"),
    "indicators.upload": _l("Uploaded indicators"),
    "indicators.preview": _l("Imported indicators"),
    "indicators.enter_value": _l("Entered an indicator value"),
    "indicators.correct_value": _l("Corrected an indicator value"),
    "indicators.change_owner": _l("Changed which organisation enters an indicator's values"),
    "api.push_indicator_values": _l("A partner's system sent indicator values (API)"),
    "population.upload": _l("Loaded population figures"),
    "workshops.correct_paper": _l("Corrected a paper sheet"),
    "paper_sheet_entered": _l("Entered a workshop paper sheet or show of hands"),
    "paper_sheet_corrected": _l("Corrected a workshop paper sheet or show of hands"),
}


def action_label(action: str) -> str:
    """Words for an action; the code itself for actions without words yet (still recorded)."""
    return str(LABELS.get(action, action))
