"""Management commands of the demo app: `benan demo`, `benan demo_logins`."""
