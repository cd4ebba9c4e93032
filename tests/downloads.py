"""Saving a download that is prepared as a job, as a member of staff does it: the download's address leads
to the "prepare" page, its button queues the job (run at once in tests), and the file is saved from the
"Downloads and jobs" page."""

from __future__ import annotations

import re


def prepared_file(client, url: str) -> bytes:
    """The file of the download at ``url`` (an old download address or a prepare page)."""
    response = client.get(url)
    if response.status_code == 302:
        url = response.location
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    posted = client.post(url)
    assert posted.status_code == 302, posted.status_code
    job_id = int(re.search(r"#job-(\d+)$", posted.location).group(1))
    saved = client.get(f"/manage/downloads/{job_id}/file")
    assert saved.status_code == 200, client.get("/manage/downloads").get_data(as_text=True)[-2000:]
    data = saved.data
    saved.close()
    return data
