"""A conversation per stage: the applicant and Tmall Global write to each other on a journey."""
