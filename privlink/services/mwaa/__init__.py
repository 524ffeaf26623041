"""Amazon MWAA: environments whose Airflow really runs behind the endpoints MWAA makes."""
