"""The competence framework: areas, competences, proficiency scale and job-role targets."""
