"""The optional equality questions: what they ask (``questions``) and the form that asks them (``forms``)."""
