"""Administrative boundaries (PRG): country, voivodeships, counties, communes."""
