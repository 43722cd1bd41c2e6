"""The administrator's pages for staff accounts: invite, change, deactivate, reactivate."""
