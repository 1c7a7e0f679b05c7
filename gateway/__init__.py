"""The popgate gateway: the aiohttp application, its security, its faces and its CLI."""
