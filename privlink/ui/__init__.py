"""The live topology page (GET /_privlink/ui) and the JSON it polls (/_privlink/ui/state)."""
