"""Writes of the diagnostic: questionnaires and their versions, assessments, reminders."""
