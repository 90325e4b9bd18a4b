"""The competence framework: areas, competences, proficiency levels, job roles and targets."""
