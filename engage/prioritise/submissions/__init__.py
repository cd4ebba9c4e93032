"""What budget and ranking exercises share: one submission per person (checked, stored once), the draft
kept between pages, the forms, the page after answering, the answers as a matrix, downloads and views."""
