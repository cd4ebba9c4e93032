"""Issue 18, finding 6: a response's reference is the secret that deletes it, so no download carries it."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from engage.extensions import db
from engage.surveys.models import ConsultationResponse
from tests.conftest import sign_in
from tests.downloads import prepared_file
from tests.surveys.test_consultations import respond


def test_no_download_holds_a_reference_that_could_delete_a_response(client, make_consultation, hwb, officer):
    consultation = make_consultation()
    respond(client, consultation, hwb)
    references = db.session.scalars(select(ConsultationResponse.reference)).all()
    assert references
    sign_in(client, officer)
    csv_text = client.get(f"/manage/consultations/{consultation.id}/responses.csv").get_data(as_text=True)
    xlsx = prepared_file(client, f"/manage/consultations/{consultation.id}/responses.xlsx")
    book = load_workbook(io.BytesIO(xlsx))
    cells = " ".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    for reference in references:
        assert reference not in csv_text and reference not in cells
    assert csv_text.splitlines()[0].startswith("response,submitted_at")
    assert csv_text.splitlines()[1].startswith("1,")
