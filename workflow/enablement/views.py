from flask import Blueprint

bp = Blueprint("enablement", __name__)
