"""Face model and face camera drivers for 人证核验 (see README.md for the model files' licences).

Nothing here imports from kiosk/ or screens/: the core states what it needs in kiosk/face/port.py and
these classes fit it by shape.
"""
