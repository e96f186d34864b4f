"""人证核验: the face in front of the terminal is the face of the card's holder.

The session logic (check.py: quality, guidance, the random head-turn challenge judged from landmark
pose, tries, outcome) has no Kivy, no camera and no model import; the camera and the face model
come in through port.py (drivers/face fits them), and the comparison through the ``FaceVerifier``
port (verifiers.py: ``backend`` or ``local``). service.py runs one check for the controller.
Face pictures live only in :class:`check.FaceCheck` (in the session's data) and are wiped with it.
"""
