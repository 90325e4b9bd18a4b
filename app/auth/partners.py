"""The partner institutions of 2SoKroG, as named in the project description (shared/seeds)."""

from __future__ import annotations

# (slug, name, short name, country, kind, partner role)
PARTNERS: list[tuple[str, str, str, str, str, str]] = [
    ("bistra-ptuj", "Znanstveno-raziskovalno središče Bistra Ptuj", "ZRS Bistra Ptuj", "SI",
     "research-centre", "lead"),
    ("ra-savinja", "Razvojna agencija Savinjske regije d.o.o.", "RASR", "SI",
     "development-agency", "project"),
    ("cpu", "Center ponovne uporabe d.o.o., so.p.", "CPU", "SI", "social-enterprise", "project"),
    ("jura-varazdin", "Javna ustanova za regionalni razvoj Varaždinske županije", "JURA", "HR",
     "development-agency", "project"),
    ("czss-cakovec", "Centar za socijalnu skrb Čakovec", "CZSS Čakovec", "HR",
     "social-work-centre", "project"),
    ("redea", "Javna ustanova za razvoj Međimurske županije REDEA", "REDEA", "HR",
     "development-agency", "project"),
    ("zrsz", "Zavod Republike Slovenije za zaposlovanje", "ZRSZ", "SI", "employment-service",
     "project"),
    ("mdomsp", "Ministarstvo za demografiju, obitelj, mlade i socijalnu politiku", "MDOMSP", "HR",
     "ministry", "associated"),
    ("mddsz", "Ministrstvo za delo, družino, socialne zadeve in enake možnosti", "MDDSZ", "SI",
     "ministry", "associated"),
    ("mgrt", "Ministrstvo za gospodarski razvoj in tehnologijo", "MGRT", "SI", "ministry",
     "associated"),
    ("mop", "Ministrstvo za okolje in prostor", "MOP", "SI", "ministry", "associated"),
    ("hzz-varazdin", "Hrvatski zavod za zapošljavanje, Regionalni ured Varaždin",
     "HZZ Varaždin", "HR", "employment-service", "associated"),
    ("csd-lasko", "Center za socialno delo Laško", "CSD Laško", "SI", "social-work-centre",
     "associated"),
    ("pou-cakovec", "Pučko otvoreno učilište Čakovec", "POU Čakovec", "HR", "adult-education",
     "associated"),
    ("lu-ormoz", "Ljudska univerza Ormož", "LU Ormož", "SI", "adult-education", "associated"),
]  # fmt: skip
