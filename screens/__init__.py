"""Kivy screens: present session state and forward touches to the controller. Never call drivers."""
